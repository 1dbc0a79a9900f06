-- C4: Since-start completed ≤ 110 % of planned total investment
select t._file_id, t._sheet, t._source_row,
       cast(t.since_start_completed as varchar) || ' / 总投资 '
         || (select cast(p.total_investment as varchar) from cur_projects p where p.project_id = t.project_id) as observed
from {rows} as t
where t.since_start_completed > 1.1 * (select p.total_investment from cur_projects p where p.project_id = t.project_id)
