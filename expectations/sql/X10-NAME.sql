-- X10-NAME: The same project name is not registered twice in a region
select t._file_id, t._sheet, t._source_row,
       (select '同名项目：' || string_agg(o.project_id, '、' order by o.project_id) from cur_projects o
        where o.project_id <> t.project_id and o.region_code is not distinct from t.region_code
          and regexp_replace(o.project_name, '[ \t\n\r\f]', '', 'g') = regexp_replace(t.project_name, '[ \t\n\r\f]', '', 'g')) as observed
from {rows} as t
where exists (select 1 from cur_projects o
              where o.project_id <> t.project_id and o.region_code is not distinct from t.region_code
                and regexp_replace(o.project_name, '[ \t\n\r\f]', '', 'g') = regexp_replace(t.project_name, '[ \t\n\r\f]', '', 'g'))
