-- F9: The row's period matches the period in the file's title or name
select t._file_id, t._sheet, t._source_row,
       (select '文件报告期 ' || coalesce(cast(l.period_year as varchar), '?') || '年' || coalesce(cast(l.period_month as varchar), '?') || '月'
        from raw.ingest_log l where l.file_id = t._file_id and l.status = 'accepted' limit 1) as observed
from {rows} as t
where exists (select 1 from raw.ingest_log l
              where l.file_id = t._file_id and l.status = 'accepted'
                and ((l.period_month is not null and l.period_month <> t.month)
                     or (l.period_year is not null and l.period_year <> t.year)))
