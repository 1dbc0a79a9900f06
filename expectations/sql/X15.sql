-- X15: The indicator code measures a target of the region's plan
select t._file_id, t._sheet, t._source_row,
       t.indicator_code as observed
from {rows} as t
where not exists (select 1 from seed_plan_targets p
                  where p.metric_key = 'indicator_report:' || t.indicator_code and p.region_code = t.region_code)
