-- X14: A project reporting progress is in that year's annual plan
select t._file_id, t._sheet, t._source_row,
       t."project_id" as observed
from {rows} as t
where not exists (select 1 from cur_annual_plans a where a.project_id = t.project_id and a.plan_year = t.year)
