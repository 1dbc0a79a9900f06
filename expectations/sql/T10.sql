-- T10: A project under construction reports every month its region reports (dispatch figures)
with rm as (
    select distinct p.region_code, m.year, m.month
    from cur_monthly_progress m join cur_projects p on p.project_id = m.project_id
    where m.basis = 'DISPATCH'
)
select coalesce(
           (select x._submitting_unit from cur_monthly_progress x
            where x.project_id = p.project_id and x.basis = 'DISPATCH' and x._submitting_unit is not null
            order by x.year desc, x.month desc limit 1),
           p.lead_unit) as submitting_unit,
       p.project_id || ' ' || p.project_name || ' ' || rm.year || '年' || rm.month || '月' as record_key,
       '未报送' as observed
from rm
join cur_projects p on p.region_code = rm.region_code and p.stage = '开工在建'
     and (p.actual_start_date is null or p.actual_start_date < make_date(rm.year, rm.month, 1) + interval '1 month')
where not exists (
    select 1 from cur_monthly_progress m
    where m.project_id = p.project_id and m.year = rm.year and m.month = rm.month and m.basis = 'DISPATCH')
