-- B6: Industry code exists in GB/T 4754-2017 (section letter or a code under an existing division)
select t._file_id, t._sheet, t._source_row,
       t.industry_code as observed
from {rows} as t
where t.industry_code is not null and not exists (
          select 1 from seed_dim_industry d
          where (d.level = 'section' and d.code = upper(trim(t.industry_code)))
             or (d.level = 'division' and upper(trim(t.industry_code)) ~ '^[A-T]?[0-9]{2,4}$'
                 -- the division: the first two digits after the optional section letter
                 and d.code = substr(regexp_replace(upper(trim(t.industry_code)), '^[A-T]', ''), 1, 2)
                 and (upper(trim(t.industry_code)) !~ '^[A-T]'
                      or d.parent_code = substr(upper(trim(t.industry_code)), 1, 1))))
