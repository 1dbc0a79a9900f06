-- B17-REF: Region code is in the reference list of regions (seeds/dim_region.csv)
select t._file_id, t._sheet, t._source_row,
       t.region_code as observed
from {rows} as t
where t.region_code is not null and not exists (select 1 from seed_dim_region r where r.region_code = t.region_code)
