-- F8: Every region with projects under construction has progress for every reported month of its year
with prog as (
    select p.region_code, m.year, m.month
    from cur_monthly_progress m join cur_projects p on p.project_id = m.project_id
    where p.region_code is not null and m.month between 2 and 12
),
months as (select distinct year, month from prog),
regions as (select distinct region_code, year from prog)
select p.lead_unit as submitting_unit,
       r.region_code || ' ' || mo.year || '年' || mo.month || '月' as record_key,
       '本地区无任何进度数据（本单位牵头在建项目 ' || count(distinct p.project_id) || ' 个）' as observed
from months mo
join regions r on r.year = mo.year
join cur_projects p on p.region_code = r.region_code and p.stage = '开工在建'
     and (p.actual_start_date is null or p.actual_start_date < make_date(mo.year, mo.month, 1) + interval '1 month')
where not exists (select 1 from prog x where x.region_code = r.region_code and x.year = mo.year and x.month = mo.month)
group by p.lead_unit, r.region_code, mo.year, mo.month
