-- B17: Region code is a 6-digit county-level GB/T 2260 code
select t._file_id, t._sheet, t._source_row,
       t.region_code as observed
from {rows} as t
where t.region_code is not null and (t.region_code !~ '^[1-9][0-9]{5}$' or substr(t.region_code, 5, 2) = '00')
