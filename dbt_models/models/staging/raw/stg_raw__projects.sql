-- generated from dagster_project/xmdw/contract/contract.yml by `xmdw contract-render`; do not edit
-- 项目基本信息台账: latest revision of every (project_id), typed and documented;
-- rows held back by fatal data-quality rules (raw.dq_excluded_rows) are left out.
with

source as (
    {{ latest_revision(source('raw', 'projects'), ['project_id'], 'projects') }}
),

renamed as (
    select
        cast(project_id as varchar) as project_id,
        cast(national_code as varchar) as national_code,
        cast(project_name as varchar) as project_name,
        cast(region_code as varchar) as region_code,
        cast(town as varchar) as town,
        cast(industry_code as varchar) as industry_code,
        cast(construction_nature as varchar) as construction_nature,
        cast(investment_type as varchar) as investment_type,
        cast(holding_type as varchar) as holding_type,
        cast(key_level as varchar) as key_level,
        cast(stage as varchar) as stage,
        cast(lead_unit as varchar) as lead_unit,
        cast(owner_unit as varchar) as owner_unit,
        cast(leader as varchar) as leader,
        cast(total_investment as decimal(18,4)) as total_investment,
        cast(planned_start_date as date) as planned_start_date,
        cast(planned_completion_date as date) as planned_completion_date,
        cast(actual_start_date as date) as actual_start_date,
        cast(actual_completion_date as date) as actual_completion_date,
        cast(actual_operation_date as date) as actual_operation_date,
        cast(in_stats_library as boolean) as in_stats_library,
        cast(stats_entry_date as date) as stats_entry_date,
        cast(is_industrial as boolean) as is_industrial,
        cast(is_new_capacity as boolean) as is_new_capacity,
        cast(construction_content as varchar) as construction_content,
        cast(_file_id as varchar) as source_file_id,
        cast(_source_file as varchar) as source_file,
        cast(_sheet as varchar) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as varchar) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)

select * from renamed
