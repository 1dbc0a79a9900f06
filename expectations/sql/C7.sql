-- C7: Actual start ≤ actual completion
select t._file_id, t._sheet, t._source_row,
       cast(t.actual_start_date as varchar) || ' > ' || cast(t.actual_completion_date as varchar) as observed
from {rows} as t
where t.actual_start_date > t.actual_completion_date
