-- C7-PLAN: Planned start ≤ planned completion
select t._file_id, t._sheet, t._source_row,
       cast(t.planned_start_date as varchar) || ' > ' || cast(t.planned_completion_date as varchar) as observed
from {rows} as t
where t.planned_start_date > t.planned_completion_date
