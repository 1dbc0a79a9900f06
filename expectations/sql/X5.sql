-- X5: A project under construction has started its construction permit
select t._file_id, t._sheet, t._source_row,
       t."stage" as observed
from {rows} as t
where t.stage = '开工在建' and exists (
          select 1 from cur_procedures x
          where x.project_id = t.project_id and x.procedure_type = '施工许可' and x.status = '未启动')
