-- B15-DOC: A completed procedure has its document number
select t._file_id, t._sheet, t._source_row,
       t."doc_no" as observed
from {rows} as t
where t.status = '已办结' and t.doc_no is null and t.procedure_type <> '赋码'
