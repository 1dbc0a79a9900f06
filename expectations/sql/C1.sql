-- C1: A project in the statistics library has planned total investment ≥ 500 万元
select t._file_id, t._sheet, t._source_row,
       cast(t.total_investment as varchar) || ' 万元' as observed
from {rows} as t
where t.in_stats_library and t.total_investment < 500
