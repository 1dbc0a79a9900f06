-- S6: New starts are not bunched in a quarter's last 10 days (> 50 % of ≥ 6 starts)
select region_code || ' ' || year(actual_start_date) || '年第' || quarter(actual_start_date) || '季度' as record_key,
       count(*) filter (where actual_start_date > last_day(make_date(year(actual_start_date), quarter(actual_start_date) * 3, 1)) - interval 10 day)
         || ' / ' || count(*) || ' 个在季末10天内开工' as observed
from cur_projects
where actual_start_date is not null
group by region_code, year(actual_start_date), quarter(actual_start_date)
having count(*) >= 6
   and count(*) filter (where actual_start_date > last_day(make_date(year(actual_start_date), quarter(actual_start_date) * 3, 1)) - interval 10 day) > 0.5 * count(*)
