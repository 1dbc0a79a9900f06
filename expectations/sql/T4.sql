-- T4: Year roll-over — since-start(Dec y−1) + YTD(m, y) = since-start(m, y) (±1 万元)
select c._file_id, c._sheet, c._source_row,
       '上年末 ' || cast(d.since_start_completed as varchar) || ' + 本年 ' || cast(c.ytd_completed as varchar)
         || ' ≠ ' || cast(c.since_start_completed as varchar) as observed
from cur_monthly_progress c
join cur_monthly_progress d
  on d.project_id = c.project_id and d.basis = c.basis and d.year = c.year - 1 and d.month = 12
where abs(d.since_start_completed + c.ytd_completed - c.since_start_completed) > 1
