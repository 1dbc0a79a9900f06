-- T6: December's single-month value is not above 40 % of the year (year-end stuffing)
select _file_id, _sheet, _source_row,
       '12月 ' || cast(month_value as varchar) || ' / 全年 ' || cast(ytd_completed as varchar) as observed
from progress_seq
where month = 12 and ytd_completed > 0 and month_value > 0.4 * ytd_completed
