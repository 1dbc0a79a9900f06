select m.*,
       lag(month) over w as prev_month,
       lag(ytd_completed) over w as prev_ytd,
       lag(since_start_completed) over w as prev_since_start,
       case
           when month = 2 then ytd_completed
           when lag(month) over w = month - 1 then ytd_completed - lag(ytd_completed) over w
       end as month_value,
       lag(year) over a as any_prev_year,
       lag(month) over a as any_prev_month,
       lag(since_start_completed) over a as any_prev_since_start
from cur_monthly_progress m
window w as (partition by project_id, year, basis order by month),
       a as (partition by project_id, basis order by year, month)
