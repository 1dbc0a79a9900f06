-- C4: Since-start completed ≤ 110 % of planned total investment
-- A join, not correlated subqueries: PostgreSQL would scan the projects once per progress row.
select t._file_id, t._sheet, t._source_row,
       cast(t.since_start_completed as varchar) || ' / 总投资 ' || cast(p.total_investment as varchar) as observed
from {rows} as t
join cur_projects p on p.project_id = t.project_id
where t.since_start_completed > 1.1 * p.total_investment
