-- B16: A landed deal (落地/开工/投产) has its land-approval date
select t._file_id, t._sheet, t._source_row,
       t.status as observed
from {rows} as t
where t.status in ('落地', '开工', '投产') and t.land_approved_date is null
