-- T7: The same non-zero single-month value is not repeated for ≥ 4 consecutive months
select _file_id, _sheet, _source_row, '连续相同 ' || cast(month_value as varchar) as observed
from (
    select s.*,
           lag(month_value, 1) over w as v1, lag(month_value, 2) over w as v2, lag(month_value, 3) over w as v3,
           lag(month, 3) over w as m3
    from progress_seq s
    window w as (partition by project_id, year, basis order by month)
) r
where month_value <> 0 and month_value = v1 and month_value = v2 and month_value = v3 and m3 = month - 3
