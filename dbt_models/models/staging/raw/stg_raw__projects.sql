-- generated from dagster_project/xmdw/contract/contract.yml by `xmdw contract-render`; do not edit
-- 项目基本信息台账: latest revision of every (project_id), typed and documented;
-- rows held back by fatal data-quality rules (raw.dq_excluded_rows) are left out.
with

source as (
    {{ latest_revision(source('raw', 'projects'), ['project_id'], 'projects') }}
),

renamed as (
    select
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(national_code as {{ dbt.type_string() }}) as national_code,
        cast(project_name as {{ dbt.type_string() }}) as project_name,
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(town as {{ dbt.type_string() }}) as town,
        cast(industry_code as {{ dbt.type_string() }}) as industry_code,
        cast(construction_nature as {{ dbt.type_string() }}) as construction_nature,
        cast(investment_type as {{ dbt.type_string() }}) as investment_type,
        cast(holding_type as {{ dbt.type_string() }}) as holding_type,
        cast(key_level as {{ dbt.type_string() }}) as key_level,
        cast(stage as {{ dbt.type_string() }}) as stage,
        cast(lead_unit as {{ dbt.type_string() }}) as lead_unit,
        cast(owner_unit as {{ dbt.type_string() }}) as owner_unit,
        cast(leader as {{ dbt.type_string() }}) as leader,
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
        cast(construction_content as {{ dbt.type_string() }}) as construction_content,
        {{ mask_personal('contact_person', 'name') }} as contact_person,
        {{ mask_personal('contact_phone', 'phone') }} as contact_phone,
        {{ mask_personal('legal_person_id', 'id_number') }} as legal_person_id,
        {{ mask_personal('filled_by', 'name') }} as filled_by,
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
