-- S1: Benford first-digit MAD of single-month values per unit-year ≤ 0.015 (n ≥ 300)
with v as (
    select coalesce(_submitting_unit, '（未知单位）') as unit, year,
           cast(substr(cast(cast(floor(month_value) as bigint) as varchar), 1, 1) as integer) as d
    from progress_seq
    where month_value >= 1
),
n as (select unit, year, count(*) as n from v group by unit, year),
c as (select unit, year, d, count(*) as k from v group by unit, year, d),
digits as (select d from (values (1), (2), (3), (4), (5), (6), (7), (8), (9)) as v(d)),
f as (
    select n.unit, n.year, n.n, digits.d, cast(coalesce(c.k, 0) as double precision) / n.n as p
    from n cross join digits
    left join c on c.unit = n.unit and c.year = n.year and c.d = digits.d
),
mad as (select unit, year, n, avg(abs(p - log10(1 + 1.0 / cast(d as double precision)))) as mad
        from f group by unit, year, n)
select unit as submitting_unit, unit || ' ' || year || '年' as record_key,
       'MAD ' || cast(round(cast(mad as decimal(18, 10)), 4) as varchar) || '（n=' || n || '）' as observed,
       n >= 300 and mad > 0.015 as violates,
       case when n < 300 then '样本不足（n=' || n || ' < 300），不作判断' end as note
from mad
