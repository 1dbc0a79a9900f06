-- S3: Not many projects report exactly the time pace (±0.5 pp) in the same month
select p.region_code || ' ' || m.year || '年' || m.month || '月' as record_key,
       count(*) filter (where abs(m.ytd_completed / a.annual_planned_investment - m.month / 12.0) <= 0.005)
         || ' / ' || count(*) || ' 个项目恰好序时' as observed
from cur_monthly_progress m
join plan_current a on a.project_id = m.project_id and a.plan_year = m.year
join cur_projects p on p.project_id = m.project_id
where m.basis = 'DISPATCH' and a.annual_planned_investment > 0
group by p.region_code, m.year, m.month
having count(*) filter (where abs(m.ytd_completed / a.annual_planned_investment - m.month / 12.0) <= 0.005) >= 10
   and count(*) filter (where abs(m.ytd_completed / a.annual_planned_investment - m.month / 12.0) <= 0.005) >= 0.2 * count(*)
