-- C11: A project owned by a government body or public institution is state-controlled
select t._file_id, t._sheet, t._source_row,
       t.owner_unit || '：' || t.holding_type as observed
from {rows} as t
where t.holding_type is not null and t.holding_type <> '1'
      and t.owner_unit ~ '(人民政府|政府|局|委员会|办事处|管委会|办公室|中心|医院|学校)$'
