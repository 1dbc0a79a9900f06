-- B12: Project name is a real name (not a placeholder, ≤ 200 characters)
select t._file_id, t._sheet, t._source_row,
       t.project_name as observed
from {rows} as t
where length(t.project_name) > 200 or length(trim(t.project_name)) < 2
      or t.project_name ~ '^(待定|暂定|未定|无|测试|test|项目)$|XX|xx|××|某某'
