-- C15: Issued ≤ requested
select t._file_id, t._sheet, t._source_row,
       cast(t.issued_amount as varchar) || ' > ' || cast(t.requested_amount as varchar) as observed
from {rows} as t
where t.issued_amount > t.requested_amount
