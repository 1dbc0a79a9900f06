-- A3-FAI: FAI aggregates come from the statistics bureau
select t._file_id, t._sheet, t._source_row,
       t._submitting_unit as observed
from {rows} as t
where t._submitting_unit not like '%统计%'
