-- Fingerprints of the inputs of mart_project_progress, one row per region x year: those of the project-month
-- models (int_inputs__region_year: report months, projects, plans, carried-forward progress, code lists) and the
-- region-year's month-end stages (int_project_stage_monthly). A partition whose fingerprint changed is rebuilt
-- (macros/incremental_partitions.sql).
with

region_year as (
    select * from {{ ref('int_inputs__region_year') }}
),

stages as (
    select * from {{ ref('int_project_stage_monthly') }}
),

stage_rows as (
    select region_code, year, sum({{ row_hash('stages') }}) as row_hash, count(*) as input_rows
    from stages
    group by region_code, year
),

final as (
    select
        coalesce(region_year.region_code, stage_rows.region_code) as region_code,
        coalesce(region_year.year, stage_rows.year) as year,
        cast(coalesce(region_year.fingerprint, 0) + coalesce(stage_rows.row_hash, 0) as decimal(38, 0))
            as fingerprint,
        coalesce(region_year.input_rows, 0) + coalesce(stage_rows.input_rows, 0) as input_rows
    from region_year
    full outer join stage_rows
        on region_year.region_code = stage_rows.region_code
        and region_year.year = stage_rows.year
)

select * from final
