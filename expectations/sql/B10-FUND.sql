-- B10-FUND: Requested, issued, received and paid amounts are non-negative
select t._file_id, t._sheet, t._source_row,
       concat_ws(' / ', cast(t.requested_amount as varchar), cast(t.issued_amount as varchar), cast(t.received_amount as varchar), cast(t.paid_amount as varchar)) as observed
from {rows} as t
where t.requested_amount < 0 or t.issued_amount < 0 or t.received_amount < 0 or t.paid_amount < 0
