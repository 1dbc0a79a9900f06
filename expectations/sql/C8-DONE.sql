-- C8-DONE: A completed project has a completion or operation date
select t._file_id, t._sheet, t._source_row,
       t."actual_completion_date" as observed
from {rows} as t
where t.stage = '竣工投产' and t.actual_completion_date is null and t.actual_operation_date is null
