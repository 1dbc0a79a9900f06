-- generated from dagster_project/xmdw/contract/contract.yml by `xmdw contract-render`; do not edit
-- 指标完成情况报送表: latest revision of every (region_code, indicator_code, year, month), typed and documented;
-- rows held back by fatal data-quality rules (raw.dq_excluded_rows) are left out.
with

source as (
    {{ latest_revision(source('raw', 'indicator_reports'), ['region_code', 'indicator_code', 'year', 'month'], 'indicator_reports') }}
),

renamed as (
    select
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(indicator_code as {{ dbt.type_string() }}) as indicator_code,
        cast(indicator_name as {{ dbt.type_string() }}) as indicator_name,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cast(value as {{ type_double() }}) as value,
        cast(unit as {{ dbt.type_string() }}) as unit,
        cast(note as {{ dbt.type_string() }}) as note,
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
