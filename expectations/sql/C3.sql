-- C3: YTD completed ≤ since-start completed
select t._file_id, t._sheet, t._source_row,
       cast(t.ytd_completed as varchar) || ' > ' || cast(t.since_start_completed as varchar) as observed
from {rows} as t
where t.ytd_completed > t.since_start_completed
