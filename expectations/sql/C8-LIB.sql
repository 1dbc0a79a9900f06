-- C8-LIB: In-library flag and library-entry date agree
select t._file_id, t._sheet, t._source_row,
       t."stats_entry_date" as observed
from {rows} as t
where (t.in_stats_library and t.stats_entry_date is null) or (not t.in_stats_library and t.stats_entry_date is not null)
