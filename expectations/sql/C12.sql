-- C12: A government-investment project is state-controlled (never 民间投资)
select t._file_id, t._sheet, t._source_row,
       t.holding_type as observed
from {rows} as t
where t.investment_type = '政府投资' and t.holding_type is not null and t.holding_type <> '1'
