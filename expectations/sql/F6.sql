-- F6: Raw rows of a file = rows the ingestion log says were loaded
select l.file_id, l.file_name, l.submitting_unit,
       '仓库 ' || coalesce(r.n, 0) || ' 行 ≠ 日志载入 ' || l.rows_loaded || ' 行' as observed
from raw.ingest_log l
left join (select _file_id, count(*) as n from raw.{table} group by _file_id) r on r._file_id = l.file_id
where l.status = 'accepted' and l.entity = '{table}' and coalesce(r.n, 0) <> l.rows_loaded
