-- F10: The report period does not start after the file was submitted
select t._file_id, t._sheet, t._source_row,
       t.year || '年' || t.month || '月（报送于 ' || cast(cast(t._ingested_at as date) as varchar) || '）' as observed
from {rows} as t
where try(make_date(t.year, t.month, 1)) > cast(t._ingested_at as date)
