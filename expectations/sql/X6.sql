-- X6: A landed deal's project has its land-supply procedure completed
select t._file_id, t._sheet, t._source_row,
       t."status" as observed
from {rows} as t
where t.status in ('落地', '开工', '投产') and t.project_id is not null
      and exists (select 1 from cur_procedures x where x.project_id = t.project_id)
      and not exists (select 1 from cur_procedures x
                      where x.project_id = t.project_id and x.procedure_type = '土地供应' and x.status in ('已办结', '不适用'))
