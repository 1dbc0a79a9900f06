-- C21: Issued date ≤ received date ≤ paid-as-of date
select t._file_id, t._sheet, t._source_row,
       concat_ws(' / ', cast(t.issued_date as varchar), cast(t.received_date as varchar), cast(t.paid_as_of as varchar)) as observed
from {rows} as t
where t.received_date < t.issued_date or t.paid_as_of < t.received_date
