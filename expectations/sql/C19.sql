-- C19: Funds in place ≤ contract amount
select t._file_id, t._sheet, t._source_row,
       cast(t.funds_in_place as varchar) || ' > ' || cast(t.contract_amount as varchar) as observed
from {rows} as t
where t.funds_in_place > t.contract_amount
