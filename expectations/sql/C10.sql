-- C10: Annual plan ≤ total investment − investment completed before the year
select t._file_id, t._sheet, t._source_row,
       cast(t.annual_planned_investment as varchar) || ' > 尚需 ' || cast(
         (select p.total_investment from cur_projects p where p.project_id = t.project_id)
         - coalesce((select m.since_start_completed - m.ytd_completed from cur_monthly_progress m
                     where m.project_id = t.project_id and m.year = t.plan_year and m.since_start_completed is not null
                     order by m.month desc, m.basis limit 1), 0) as varchar) as observed
from {rows} as t
where t.annual_planned_investment > 1 + (select p.total_investment from cur_projects p where p.project_id = t.project_id)
        - coalesce((select m.since_start_completed - m.ytd_completed from cur_monthly_progress m
                    where m.project_id = t.project_id and m.year = t.plan_year and m.since_start_completed is not null
                    order by m.month desc, m.basis limit 1), 0)
