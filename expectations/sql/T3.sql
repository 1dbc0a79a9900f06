-- T3: Since-start and YTD move together from one month to the next (±1 万元)
select _file_id, _sheet, _source_row,
       '开工累计增加 ' || cast(since_start_completed - prev_since_start as varchar) || '，本年增加 '
         || cast(ytd_completed - prev_ytd as varchar) as observed
from progress_seq
where prev_month = month - 1
  and abs((since_start_completed - prev_since_start) - (ytd_completed - prev_ytd)) > 1
