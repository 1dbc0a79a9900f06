-- T2: Since-start completed never decreases, across years too
select _file_id, _sheet, _source_row,
       any_prev_year || '年' || any_prev_month || '月 ' || cast(any_prev_since_start as varchar) || ' → '
         || cast(since_start_completed as varchar) as observed
from progress_seq
where since_start_completed < any_prev_since_start
