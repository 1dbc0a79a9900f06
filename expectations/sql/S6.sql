-- S6: New starts are not bunched in a quarter's last 10 days (> 50 % of ≥ 6 starts)
with s as (
    select region_code, actual_start_date as d,
           extract(year from actual_start_date) as y, extract(quarter from actual_start_date) as q,
           -- the quarter's last 10 days: after (first day of the next quarter − 11 days)
           cast(date_trunc('quarter', actual_start_date) as date) + interval '3 months' - interval '11 days' as cut
    from cur_projects
    where actual_start_date is not null
)
select region_code || ' ' || y || '年第' || q || '季度' as record_key,
       count(*) filter (where d > cut) || ' / ' || count(*) || ' 个在季末10天内开工' as observed
from s
group by region_code, y, q
having count(*) >= 6 and count(*) filter (where d > cut) > 0.5 * count(*)
