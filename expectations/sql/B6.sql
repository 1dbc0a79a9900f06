-- B6: Industry code exists in GB/T 4754-2017 (section letter or a code under an existing division)
select t._file_id, t._sheet, t._source_row,
       t.industry_code as observed
from {rows} as t
where t.industry_code is not null and not exists (
          select 1 from seed_dim_industry d
          where (d.level = 'section' and d.code = upper(trim(t.industry_code)))
             or (d.level = 'division' and regexp_full_match(upper(trim(t.industry_code)), '[A-T]?\d{2,4}')
                 and d.code = substr(regexp_extract(upper(trim(t.industry_code)), '\d+'), 1, 2)
                 and (not regexp_full_match(upper(trim(t.industry_code)), '[A-T].*')
                      or d.parent_code = substr(upper(trim(t.industry_code)), 1, 1))))
