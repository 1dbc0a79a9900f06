-- T12: A 年初 plan is not cut by resubmission (cuts go through 中期调整)
select c._file_id, c._sheet, c._source_row,
       cast(o.annual_planned_investment as varchar) || ' → ' || cast(c.annual_planned_investment as varchar) as observed
from cur_annual_plans c
join raw.annual_plans o
  on o.project_id = c.project_id and o.plan_year = c.plan_year and o.plan_version = c.plan_version
 and o._revision = c._revision - 1
where c.plan_version = '年初' and c.annual_planned_investment < o.annual_planned_investment
