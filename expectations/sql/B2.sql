-- B2: The code's region segment is in the project's province
select t._file_id, t._sheet, t._source_row,
       substr(t.national_code, 6, 6) || ' vs ' || t.region_code as observed
from {rows} as t
where substr(t.national_code, 1, 12) ~ '^[0-9]{4}-[0-9]{6}-$' and t.region_code is not null
      and substr(t.national_code, 6, 2) <> substr(t.region_code, 1, 2)
