-- B15: A completed procedure has its approval date
select t._file_id, t._sheet, t._source_row,
       t."approved_date" as observed
from {rows} as t
where t.status = '已办结' and t.approved_date is null
