-- X2: A STATS row belongs to a project in the statistics library, from its entry month on
select t._file_id, t._sheet, t._source_row,
       (select case when p.in_stats_library then '入库 ' || cast(p.stats_entry_date as varchar) else '未入库' end
        from cur_projects p where p.project_id = t.project_id) as observed
from {rows} as t
where t.basis = 'STATS' and exists (
          select 1 from cur_projects p
          where p.project_id = t.project_id
            and (not p.in_stats_library or make_date(t.year, t.month, 1) < cast(date_trunc('month', p.stats_entry_date) as date)))
