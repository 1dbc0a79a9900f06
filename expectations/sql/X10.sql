-- X10: A national project code belongs to one project only
select t._file_id, t._sheet, t._source_row,
       (select '同代码项目：' || string_agg(o.project_id, '、' order by o.project_id) from cur_projects o
        where o.national_code = t.national_code and o.project_id <> t.project_id) as observed
from {rows} as t
where t.national_code is not null and exists (
          select 1 from cur_projects o where o.national_code = t.national_code and o.project_id <> t.project_id)
