-- T1: YTD completed never decreases within a year
select _file_id, _sheet, _source_row,
       prev_month || '月 ' || cast(prev_ytd as varchar) || ' → ' || month || '月 ' || cast(ytd_completed as varchar) as observed
from progress_seq
where ytd_completed < prev_ytd
