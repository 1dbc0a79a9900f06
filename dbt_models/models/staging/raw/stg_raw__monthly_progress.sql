-- generated from dagster_project/xmdw/contract/contract.yml by `xmdw contract-render`; do not edit
-- 月度投资进度台账: latest revision of every (project_id, year, month, basis), typed and documented;
-- rows held back by fatal data-quality rules (raw.dq_excluded_rows) are left out.
with

source as (
    {{ latest_revision(source('raw', 'monthly_progress'), ['project_id', 'year', 'month', 'basis'], 'monthly_progress') }}
),

renamed as (
    select
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(project_name as {{ dbt.type_string() }}) as project_name,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cast(basis as {{ dbt.type_string() }}) as basis,
        cast(ytd_completed as decimal(18,4)) as ytd_completed,
        cast(since_start_completed as decimal(18,4)) as since_start_completed,
        cast(month_completed as decimal(18,4)) as month_completed,
        cast(ytd_funds_in_place as decimal(18,4)) as ytd_funds_in_place,
        cast(physical_progress as decimal(12,6)) as physical_progress,
        cast(progress_note as {{ dbt.type_string() }}) as progress_note,
        cast(build_status as {{ dbt.type_string() }}) as build_status,
        cast(problems as {{ dbt.type_string() }}) as problems,
        cast(_file_id as {{ dbt.type_string() }}) as source_file_id,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_sheet as {{ dbt.type_string() }}) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as {{ dbt.type_string() }}) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)

select * from renamed
