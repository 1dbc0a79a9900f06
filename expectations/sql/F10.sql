-- F10: The report period does not start after the file was submitted
select t._file_id, t._sheet, t._source_row,
       t.year || '年' || t.month || '月（报送于 ' || cast(cast(t._ingested_at as date) as varchar) || '）' as observed
from {rows} as t
-- CASE, not DuckDB's try(): a month out of range is no date and no finding
where case when t.month between 1 and 12 and t.year between 1 and 9999 then make_date(t.year, t.month, 1) end
      > cast(t._ingested_at as date)
