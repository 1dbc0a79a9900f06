-- T13: Reported month value = YTD(m) − YTD(m−1) (±1 万元; February = YTD)
select _file_id, _sheet, _source_row,
       '填报 ' || cast(month_completed as varchar) || '，累计差 ' || cast(month_value as varchar) as observed
from progress_seq
where month_completed is not null and month_value is not null and abs(month_completed - month_value) > 1
