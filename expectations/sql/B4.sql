-- B4: The code's first segment is a valid year-month (yymm) not in the future
select t._file_id, t._sheet, t._source_row,
       substr(t.national_code, 1, 4) as observed
from {rows} as t
-- CASE: the casts run only on codes that start with four digits (AND does not fix an order)
where case when substr(t.national_code, 1, 5) ~ '^[0-9]{4}-$' then
          cast(substr(t.national_code, 3, 2) as integer) not between 1 and 12
          or make_date(2000 + cast(substr(t.national_code, 1, 2) as integer),
                       greatest(1, least(12, cast(substr(t.national_code, 3, 2) as integer))), 1)
             > cast(t._ingested_at as date)
      else false end
