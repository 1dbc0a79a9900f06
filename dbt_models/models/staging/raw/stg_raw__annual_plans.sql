-- generated from dagster_project/xmdw/contract/contract.yml by `xmdw contract-render`; do not edit
-- 年度投资计划台账: latest revision of every (project_id, plan_year, plan_version), typed and documented;
-- rows held back by fatal data-quality rules (raw.dq_excluded_rows) are left out.
with

source as (
    {{ latest_revision(source('raw', 'annual_plans'), ['project_id', 'plan_year', 'plan_version'], 'annual_plans') }}
),

renamed as (
    select
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(project_name as {{ dbt.type_string() }}) as project_name,
        cast(plan_year as integer) as plan_year,
        cast(plan_version as {{ dbt.type_string() }}) as plan_version,
        cast(plan_category as {{ dbt.type_string() }}) as plan_category,
        cast(annual_planned_investment as decimal(18,4)) as annual_planned_investment,
        cast(planned_start_month as integer) as planned_start_month,
        cast(planned_completion_in_year as boolean) as planned_completion_in_year,
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
