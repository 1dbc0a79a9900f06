-- C7-OP: Actual completion ≤ operation
select t._file_id, t._sheet, t._source_row,
       cast(t.actual_completion_date as varchar) || ' > ' || cast(t.actual_operation_date as varchar) as observed
from {rows} as t
where t.actual_completion_date > t.actual_operation_date
