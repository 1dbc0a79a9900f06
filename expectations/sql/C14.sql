-- C14: Received ≤ issued
select t._file_id, t._sheet, t._source_row,
       cast(t.received_amount as varchar) || ' > ' || cast(t.issued_amount as varchar) as observed
from {rows} as t
where t.received_amount > t.issued_amount
