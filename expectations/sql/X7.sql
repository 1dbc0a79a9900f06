-- X7: A project with higher-level funds issued has its national project code
select t._file_id, t._sheet, t._source_row,
       (select string_agg(distinct f.fund_type, '、' order by f.fund_type) from cur_funds f
        where f.project_id = t.project_id and coalesce(f.fund_category, '项目资金') = '项目资金' and f.issued_amount > 0) as observed
from {rows} as t
where t.national_code is null and exists (
          select 1 from cur_funds f
          where f.project_id = t.project_id and coalesce(f.fund_category, '项目资金') = '项目资金' and f.issued_amount > 0)
