-- C9: A conceived or reserve project reports no completed investment
select t._file_id, t._sheet, t._source_row,
       (select p.stage from cur_projects p where p.project_id = t.project_id) as observed
from {rows} as t
where t.ytd_completed > 0 and exists (
          select 1 from cur_projects p where p.project_id = t.project_id and p.stage in ('谋划', '储备'))
