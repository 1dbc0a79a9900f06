-- C23: A fully operating project reports 100 % physical progress
select t._file_id, t._sheet, t._source_row,
       cast(t.physical_progress as varchar) as observed
from {rows} as t
where t.build_status = '2' and t.physical_progress < 1
