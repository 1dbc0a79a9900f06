-- C8: A started or completed project has its actual start date
select t._file_id, t._sheet, t._source_row,
       t.stage as observed
from {rows} as t
where t.stage in ('开工在建', '竣工投产') and t.actual_start_date is null
