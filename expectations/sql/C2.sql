-- C2: Key project below 500 万元 is not eligible for FAI statistics
select t._file_id, t._sheet, t._source_row,
       cast(t.total_investment as varchar) || ' 万元' as observed
from {rows} as t
where t.key_level is not null and t.total_investment < 500 and not coalesce(t.in_stats_library, false)
