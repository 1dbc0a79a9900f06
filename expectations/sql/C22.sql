-- C22: Month completed ≤ YTD completed
select t._file_id, t._sheet, t._source_row,
       cast(t.month_completed as varchar) || ' > ' || cast(t.ytd_completed as varchar) as observed
from {rows} as t
where t.month_completed > t.ytd_completed
