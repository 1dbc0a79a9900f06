-- C20: Approval date ≥ submission date
select t._file_id, t._sheet, t._source_row,
       cast(t.approved_date as varchar) || ' < ' || cast(t.submitted_date as varchar) as observed
from {rows} as t
where t.approved_date < t.submitted_date
