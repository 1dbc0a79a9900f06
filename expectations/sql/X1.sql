-- X1: The project exists in the project registry
select t._file_id, t._sheet, t._source_row,
       t.project_id as observed
from {rows} as t
where t.project_id is not null and not exists (select 1 from cur_projects p where p.project_id = t.project_id)
