-- C14-PAID: Paid ≤ received
select t._file_id, t._sheet, t._source_row,
       cast(t.paid_amount as varchar) || ' > ' || cast(t.received_amount as varchar) as observed
from {rows} as t
where t.paid_amount > t.received_amount
