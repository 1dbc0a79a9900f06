-- F11: The same record (natural key) is not submitted by two different units
select c._file_id, c._sheet, c._source_row,
       '此前报送单位：' || string_agg(distinct o._submitting_unit, '、' order by o._submitting_unit) as observed
from cur_{table} c
join raw.{table} o on {key_match} and o._revision < c._revision
where o._submitting_unit is not null and c._submitting_unit is not null
  and o._submitting_unit <> c._submitting_unit
group by c._file_id, c._sheet, c._source_row
