-- S5: YTD completed > 0 for ≥ 3 months while funds in place stay 0
select _file_id, _sheet, _source_row, '连续 ' || k || ' 个月到位资金为0' as observed
from (
    select m.*, count(*) over (partition by project_id, year, basis order by month
                               rows between unbounded preceding and current row) as k
    from cur_monthly_progress m
    where ytd_completed > 0 and ytd_funds_in_place = 0
) s
where k >= 3
