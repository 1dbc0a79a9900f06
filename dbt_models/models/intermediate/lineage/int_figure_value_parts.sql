-- Lineage of the targets that count or sum projects and reports: one row per metric_key x region x month x
-- project (or indicator report) x source row with what it adds to the value (value_part): project-list
-- counts and sums over the year's plan list, 四个一批 stocks, the city-assigned batches and the latest
-- indicator reports. figure_sources binds them to targets. Definitions: docs/reports.md#traceability
with

months as (
    select region_code, year, month from {{ ref('int_report_months') }}
),

projects as (
    select project_id, project_name from {{ ref('int_projects_enriched') }}
),

plans as (
    select project_id, plan_year, latest_plan_version from {{ ref('int_annual_plans_versioned') }}
),

planned_months as (
    select * from {{ ref('int_planned_project_months') }}
),

four_batches_city_list as (
    select * from {{ ref('int_four_batches_city_list') }}
),

indicator_reports as (
    select * from {{ ref('stg_raw__indicator_reports') }}
),

-- project-list targets (counts and sums over the year's plan list), value_part per source row
list_parts as (
    select
        region_code, year, month, 'key_project_count' as metric_key,
        project_id, project_name, 'projects' as source_entity, project_id as source_key,
        '重点项目' as source_field_zh, {{ as_text('null') }} as source_value,
        cast(1 as decimal(20, 6)) as value_part
    from planned_months where is_key_project
    union all
    select region_code, year, month, 'city_key_project_count', project_id, project_name, 'projects', project_id,
        '市级以上重点项目', null, 1
    from planned_months where is_city_key_project
    union all
    select region_code, year, month, 'major_project_count', project_id, project_name, 'projects', project_id,
        '总投资', {{ as_text('total_investment') }}, 1
    from planned_months
    where is_key_project and total_investment >= {{ projects_var('major_project_min_total_wan') }}
    union all
    select region_code, year, month, 'new_capacity_project_count', project_id, project_name, 'projects', project_id,
        '新增产能项目', null, 1
    from planned_months where is_new_capacity
    union all
    select region_code, year, month, 'key_project_new_start_count', project_id, project_name, 'projects', project_id,
        '实际开工日期', {{ as_text('actual_start_date') }}, 1
    from planned_months
    where is_key_project and plan_category = '新开工' and actual_start_date <= as_of_date
    union all
    select region_code, year, month, 'city_key_project_new_start_count', project_id, project_name, 'projects',
        project_id, '实际开工日期', {{ as_text('actual_start_date') }}, 1
    from planned_months
    where is_city_key_project and plan_category = '新开工' and actual_start_date <= as_of_date
    union all
    select region_code, year, month, 'key_project_annual_investment', project_id, project_name, 'monthly_progress',
        project_id || '|' || {{ as_text('year') }} || '|' || {{ as_text('last_reported_month') }},
        '本年累计完成投资（' || {{ as_text('last_reported_month') }} || '月报）', {{ as_text('ytd_completed') }},
        ytd_completed
    from planned_months where is_key_project and last_reported_month is not null
    union all
    select region_code, year, month, 'city_key_project_annual_investment', project_id, project_name,
        'monthly_progress',
        project_id || '|' || {{ as_text('year') }} || '|' || {{ as_text('last_reported_month') }},
        '本年累计完成投资（' || {{ as_text('last_reported_month') }} || '月报）', {{ as_text('ytd_completed') }},
        ytd_completed
    from planned_months where is_city_key_project and last_reported_month is not null
),

-- 四个一批 stock targets: the stage of every registered project at the month end
stage_rows as (
    select * from {{ ref('int_project_stage_rows') }}
),

stage_parts as (
    select
        region_code, year, month, 'stage_count:' || stage_at_month as metric_key,
        project_id, project_name, 'projects' as source_entity, project_id as source_key,
        '月末所处阶段' as source_field_zh, stage_at_month as source_value,
        cast(1 as decimal(20, 6)) as value_part
    from stage_rows where stage_at_month in ('谋划', '储备', '开工在建', '竣工投产')
    union all
    select region_code, year, month, 'stage_investment:' || stage_at_month, project_id, project_name,
        'projects', project_id, '总投资', {{ as_text('total_investment') }}, total_investment
    from stage_rows where stage_at_month in ('谋划', '储备', '竣工投产') and total_investment is not null
    union all
    select region_code, year, month, 'stage_annual_plan:开工在建', project_id, project_name,
        'annual_plans', project_id || '|' || {{ as_text('year') }} || '|' || latest_plan_version,
        '年度计划投资（' || latest_plan_version || '）', {{ as_text('annual_plan_latest') }}, annual_plan_latest
    from stage_rows where stage_at_month = '开工在建' and annual_plan_latest is not null
    union all
    select region_code, year, month, 'completed_project_count', project_id, project_name, 'projects', project_id,
        '竣工/投产（本年）', stage_at_month, 1
    from stage_rows where is_completed_this_year
    union all
    select region_code, year, month, 'completed_key_project_count', project_id, project_name, 'projects',
        project_id, '竣工/投产（本年，重点项目）', stage_at_month, 1
    from stage_rows where is_completed_this_year and is_on_key_list
),

-- the city-assigned 四个一批 task (int_four_batches_city_list): list membership and batch per project-month
city_list as (
    select city_list.*, projects.project_name, plans.latest_plan_version
    from four_batches_city_list as city_list
    inner join projects on city_list.project_id = projects.project_id
    left join plans on city_list.project_id = plans.project_id and city_list.year = plans.plan_year
),

city_batches as (
    select city_list.*, '谋划' as batch from city_list where in_city_batch_conceived
    union all
    select city_list.*, '储备' as batch from city_list where in_city_batch_reserve
    union all
    select city_list.*, '开工在建' as batch from city_list where in_city_batch_started
    union all
    select city_list.*, '竣工投产' as batch from city_list where in_city_batch_completed
),

city_batch_parts as (
    select
        region_code, year, month, 'city_batch_count:' || batch as metric_key,
        project_id, project_name, 'projects' as source_entity, project_id as source_key,
        '市级下达四个一批（' || batch || '）' as source_field_zh, coalesce(key_level, '未定级') as source_value,
        cast(1 as decimal(20, 6)) as value_part
    from city_batches
    union all
    select region_code, year, month, 'city_batch_investment:' || batch, project_id, project_name,
        'projects', project_id, '总投资', {{ as_text('total_investment') }}, total_investment
    from city_batches where batch in ('谋划', '储备', '竣工投产') and total_investment is not null
    union all
    select region_code, year, month, 'city_batch_annual_plan:开工在建', project_id, project_name,
        'annual_plans', project_id || '|' || {{ as_text('year') }} || '|年初',
        '年度计划投资（年初）', {{ as_text('annual_plan_initial') }}, annual_plan_initial
    from city_batches where batch = '开工在建' and annual_plan_initial is not null
    union all
    select region_code, year, month, 'city_batch_annual_plan_latest:开工在建', project_id, project_name,
        'annual_plans', project_id || '|' || {{ as_text('year') }} || '|' || latest_plan_version,
        '年度计划投资（' || latest_plan_version || '）', {{ as_text('annual_plan_latest') }}, annual_plan_latest
    from city_batches where batch = '开工在建' and annual_plan_latest is not null
),

-- indicator_report:<code>: the latest report up to the month (carried forward), converted to 万元
indicator_latest as (
    select * from (
        select
            months.region_code,
            months.year,
            months.month,
            reports.indicator_code,
            reports.indicator_name,
            reports.month as reported_month,
            reports.value,
            reports.unit,
            row_number() over (
                partition by months.region_code, months.year, months.month, reports.indicator_code
                order by reports.month desc
            ) as latest_rank
        from months
        inner join indicator_reports as reports
            on months.region_code = reports.region_code
            and months.year = reports.year
            and reports.month <= months.month
    ) as ranked
    where latest_rank = 1
),

indicator_parts as (
    select
        region_code, year, month,
        'indicator_report:' || indicator_code as metric_key,
        indicator_code as project_id, indicator_name as project_name,
        'indicator_reports' as source_entity,
        region_code || '|' || indicator_code || '|' || {{ as_text('year') }} || '|'
            || {{ as_text('reported_month') }} as source_key,
        '报送值（' || {{ as_text('reported_month') }} || '月）' as source_field_zh,
        {{ double_text('value') }} || coalesce(unit, '') as source_value,
        {{ decimal_from_double("value * case unit when '亿元' then 10000 when '元' then 0.0001 else 1 end", 20, 6) }}
            as value_part
    from indicator_latest
),

unioned as (
    select * from list_parts
    union all
    select * from stage_parts
    union all
    select * from city_batch_parts
    union all
    select * from indicator_parts
),

-- the first branch's type, stated so that PostgreSQL keeps the scale across the union
final as (
    select
        region_code, year, month, metric_key, project_id, project_name, source_entity, source_key,
        source_field_zh, source_value,
        cast(value_part as decimal(20, 6)) as value_part
    from unioned
)

select * from final
