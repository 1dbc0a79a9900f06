-- C18: Land approval ≥ signing date
select t._file_id, t._sheet, t._source_row,
       cast(t.land_approved_date as varchar) || ' < ' || cast(t.signed_date as varchar) as observed
from {rows} as t
where t.land_approved_date < t.signed_date
