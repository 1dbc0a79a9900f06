-- S3: Not many projects report exactly the time pace (±0.5 pp) in the same month
-- |ytd / plan − month / 12| ≤ 0.005, multiplied out (plan > 0): exact decimal arithmetic on both engines
select p.region_code || ' ' || m.year || '年' || m.month || '月' as record_key,
       count(*) filter (where abs(12 * m.ytd_completed - m.month * a.annual_planned_investment)
                              <= 0.06 * a.annual_planned_investment)
         || ' / ' || count(*) || ' 个项目恰好序时' as observed
from cur_monthly_progress m
join plan_current a on a.project_id = m.project_id and a.plan_year = m.year
join cur_projects p on p.project_id = m.project_id
where m.basis = 'DISPATCH' and a.annual_planned_investment > 0
group by p.region_code, m.year, m.month
having count(*) filter (where abs(12 * m.ytd_completed - m.month * a.annual_planned_investment)
                              <= 0.06 * a.annual_planned_investment) >= 10
   and count(*) filter (where abs(12 * m.ytd_completed - m.month * a.annual_planned_investment)
                              <= 0.06 * a.annual_planned_investment) >= 0.2 * count(*)
