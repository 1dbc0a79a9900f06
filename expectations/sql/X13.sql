-- X13: DISPATCH and STATS for the same project-period differ by ≤ 20 %
select d._file_id, d._sheet, d._source_row,
       '调度 ' || cast(d.ytd_completed as varchar) || ' / 统计 ' || cast(s.ytd_completed as varchar) as observed
from cur_monthly_progress d
join cur_monthly_progress s
  on s.project_id = d.project_id and s.year = d.year and s.month = d.month and s.basis = 'STATS'
where d.basis = 'DISPATCH' and s.ytd_completed > 0 and abs(d.ytd_completed - s.ytd_completed) > 0.2 * s.ytd_completed
