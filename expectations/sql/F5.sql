-- F5: A progress submission is not empty while the unit's region has projects under construction
select l.file_id, l.file_name, l.submitting_unit,
       coalesce(l.region_code, '') || ' ' || coalesce(cast(l.period_year as varchar), '?') || '年'
         || coalesce(cast(l.period_month as varchar), '?') || '月' as record_key,
       '载入 0 行（读取 ' || l.rows_read || ' 行，退回 ' || l.rows_rejected || ' 行）' as observed
from raw.ingest_log l
where l.status = 'accepted' and l.entity = 'monthly_progress' and l.rows_loaded = 0
  and not exists (
      select 1 from raw.ingest_log n
      where n.status = 'accepted' and n.entity = l.entity and n.rows_loaded > 0
        and n.file_id <> l.file_id and n.ingested_at >= l.ingested_at
        and n.submitting_unit is not distinct from l.submitting_unit
        and n.period_year is not distinct from l.period_year
        and n.period_month is not distinct from l.period_month)
  and exists (
      select 1 from cur_projects p
      where p.stage = '开工在建'
        and (l.region_code is null or p.region_code = l.region_code)
        and ((coalesce(l.submitting_unit, '') like '%统计%' and p.in_stats_library)
             or p.lead_unit = l.submitting_unit))
