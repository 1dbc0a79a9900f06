-- C8-EARLY: A conceived or reserve project has no actual start date
select t._file_id, t._sheet, t._source_row,
       t.stage || '，开工 ' || cast(t.actual_start_date as varchar) as observed
from {rows} as t
where t.stage in ('谋划', '储备') and t.actual_start_date is not null
