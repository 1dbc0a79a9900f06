-- S2: Share of single-month values that are whole hundreds of 万元 ≤ max(2 × overall, 20 %) (n ≥ 12)
with v as (
    select coalesce(_submitting_unit, '（未知单位）') as unit, year,
           case when month_value % 100 = 0 then 1.0 else 0.0 end as r
    from progress_seq where month_value > 0
),
base as (select avg(r) as b from v)
select unit as submitting_unit, unit || ' ' || year || '年' as record_key,
       '整百比例 ' || cast(round(avg(r) * 100, 1) as varchar) || '%（n=' || count(*) || '，全体 '
         || cast(round(any_value(base.b) * 100, 1) as varchar) || '%）' as observed
from v cross join base
group by unit, year
having count(*) >= 12 and avg(r) > greatest(2 * any_value(base.b), 0.2)
