-- C24: A fully suspended project completes no investment in the month
select t._file_id, t._sheet, t._source_row,
       cast(t.month_completed as varchar) as observed
from {rows} as t
where t.build_status = '3' and t.month_completed > 0
