-- X1-FUND: A project fund's project exists in the registry
select t._file_id, t._sheet, t._source_row,
       t.project_id as observed
from {rows} as t
where coalesce(t.fund_category, '项目资金') = '项目资金'
      and not exists (select 1 from cur_projects p where p.project_id = t.project_id)
