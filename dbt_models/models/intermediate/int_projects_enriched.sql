-- The project registry with the flags every mart uses: key-project levels and 民间投资.
with

projects as (
    select * from {{ ref('stg_raw__projects') }}
),

regions as (
    select region_code, name_zh as region_name from {{ ref('dim_region') }}
),

final as (
    select
        projects.project_id,
        projects.national_code,
        projects.project_name,
        projects.region_code,
        regions.region_name,
        projects.town,
        projects.industry_code,
        projects.construction_nature,
        projects.investment_type,
        projects.holding_type,
        projects.key_level,
        projects.stage,
        projects.lead_unit,
        projects.owner_unit,
        projects.leader,
        -- personal data, already masked in staging (mask_personal): 联系人 张**, 联系电话 138****5678
        projects.contact_person,
        projects.contact_phone,
        projects.total_investment,
        projects.planned_start_date,
        projects.planned_completion_date,
        projects.actual_start_date,
        projects.actual_completion_date,
        projects.actual_operation_date,
        coalesce(projects.actual_operation_date, projects.actual_completion_date) as completed_date,
        coalesce(projects.in_stats_library, false) as in_stats_library,
        projects.stats_entry_date,
        coalesce(projects.is_industrial, false) as is_industrial,
        coalesce(projects.is_new_capacity, false) as is_new_capacity,
        projects.key_level is not null as is_key_project,
        coalesce(projects.key_level in ('国家级', '省级', '市级'), false) as is_city_key_project,
        -- 民间投资: collectively or privately controlled domestic units (NBS); 国有/外资/港澳台 are not
        coalesce(projects.holding_type in ('2', '3'), false) as is_private
    from projects
    left join regions on projects.region_code = regions.region_code
)

select * from final
