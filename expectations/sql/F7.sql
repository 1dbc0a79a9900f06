-- F7: Row reconciliation of every accepted file (read = loaded + rejected + skipped)
select l.file_id, l.file_name, l.submitting_unit,
       '读取 ' || l.rows_read || ' ≠ 载入 ' || l.rows_loaded || ' + 退回 ' || l.rows_rejected
         || ' + 跳过 ' || l.rows_skipped as observed
from raw.ingest_log l
where l.status = 'accepted' and l.entity = '{table}'
  and l.rows_read is distinct from l.rows_loaded + l.rows_rejected + l.rows_skipped
