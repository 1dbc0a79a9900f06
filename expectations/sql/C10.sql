-- C10: Annual plan ≤ total investment − investment completed before the year
-- Joins, not correlated subqueries: PostgreSQL has no index on the run's temp relations and would scan
-- the progress ledger once per plan row (minutes at province scale).
with before_year as (
    select project_id, year, since_start_completed - ytd_completed as done_before
    from (select m.project_id, m.year, m.since_start_completed, m.ytd_completed,
                 row_number() over (partition by m.project_id, m.year order by m.month desc, m.basis) as rk
          from cur_monthly_progress m
          where m.since_start_completed is not null) as r
    where rk = 1
),
plans as (
    select t._file_id, t._sheet, t._source_row, t.annual_planned_investment,
           p.total_investment - coalesce(b.done_before, 0) as remaining
    from {rows} as t
    left join cur_projects p on p.project_id = t.project_id
    left join before_year b on b.project_id = t.project_id and b.year = t.plan_year
)
select _file_id, _sheet, _source_row,
       cast(annual_planned_investment as varchar) || ' > 尚需 ' || cast(remaining as varchar) as observed
from plans
where annual_planned_investment > 1 + remaining
