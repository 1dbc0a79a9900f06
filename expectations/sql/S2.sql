-- S2: Share of single-month values that are whole hundreds of 万元 ≤ max(2 × overall, 20 %) (n ≥ 12)
-- shares in double precision on both engines (PostgreSQL's avg of numeric is exact, DuckDB's a double);
-- rounded through decimal (PostgreSQL has no round(double precision, int))
with v as (
    select coalesce(_submitting_unit, '（未知单位）') as unit, year,
           cast(case when month_value % 100 = 0 then 1 else 0 end as double precision) as r
    from progress_seq where month_value > 0
),
base as (select avg(r) as b from v)
select unit as submitting_unit, unit || ' ' || year || '年' as record_key,
       '整百比例 ' || cast(round(cast(avg(r) * 100 as decimal(18, 10)), 1) as varchar) || '%（n=' || count(*)
         || '，全体 ' || cast(round(cast(min(base.b) * 100 as decimal(18, 10)), 1) as varchar) || '%）' as observed
from v cross join base
group by unit, year
having count(*) >= 12 and avg(r) > greatest(2 * min(base.b), 0.2)
