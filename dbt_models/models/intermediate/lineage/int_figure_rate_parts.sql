-- Lineage of the 五率 and of 计划投资完成率: one row per rate figure (rate x cohort x variant) x region x month x
-- member x source row, with what that row adds to the figure's numerator or denominator. The cohorts and the
-- carry-forward are those of the metric models (int_rate_project_cohorts, int_plan_completion_members), so a
-- definition that changes without its lineage shows up in figure_values' check. figure_sources publishes it.
-- Definitions: docs/reports.md#traceability
with

months as (
    select region_code, year, month, as_of_date from {{ ref('int_report_months') }}
),

projects as (
    select project_id, project_name from {{ ref('int_projects_enriched') }}
),

plans as (
    select project_id, plan_year, latest_plan_version from {{ ref('int_annual_plans_versioned') }}
),

project_cohorts as (
    select * from {{ ref('int_rate_project_cohorts') }}
),

rate_definitions as (
    select rate_name, cohort, variant, metric_key from {{ ref('dim_rate') }}
),

plan_completion_members as (
    select * from {{ ref('int_plan_completion_members') }}
),

deals as (
    select * from {{ ref('stg_raw__investment_contracts') }}
),

required_procedures as (
    select project_id, procedure_type, status, approved_date
    from {{ ref('stg_raw__procedures') }}
    where coalesce(is_required, true) and coalesce(status, '') <> '不适用'
),

-- 计划投资完成率 members as int_plan_completion_members defines them (the one computation): every project on
-- the year's plan, its carried-forward YTD (the latest report up to the month) over its annual plan
completion_members as (
    select
        members.*,
        projects.project_name,
        plans.latest_plan_version
    from plan_completion_members as members
    inner join projects on members.project_id = projects.project_id
    inner join plans on members.project_id = plans.project_id and members.year = plans.plan_year
),

completion_cohorts as (
    select completion_members.*, 'all_planned' as cohort from completion_members
    union all
    select completion_members.*, 'all_key' as cohort from completion_members where is_key_project
    union all
    select completion_members.*, 'city_key' as cohort from completion_members where is_city_key_project
),

-- latest_plan: against the latest plan version; initial_plan: projects with a 年初 plan, against it
completion_parts as (
    select
        region_code, year, month, cohort, 'latest_plan' as variant,
        'project' as member_type, project_id as member_id, project_name as member_name,
        'monthly_progress' as source_entity,
        project_id || '|' || {{ as_text('year') }} || '|' || {{ as_text('last_reported_month') }} as source_key,
        '本年累计完成投资（' || {{ as_text('last_reported_month') }} || '月报）' as source_field_zh,
        {{ as_text('ytd_completed') }} as source_value,
        cast(ytd_completed as decimal(20, 6)) as numerator_part,
        cast(null as decimal(20, 6)) as denominator_part
    from completion_cohorts
    where last_reported_month is not null
    union all
    select
        region_code, year, month, cohort, 'latest_plan',
        'project', project_id, project_name,
        'annual_plans', project_id || '|' || {{ as_text('year') }} || '|' || latest_plan_version,
        '年度计划投资（' || latest_plan_version || '）', {{ as_text('annual_plan_latest') }},
        null, coalesce(annual_plan_latest, 0)
    from completion_cohorts
    union all
    select
        region_code, year, month, cohort, 'initial_plan',
        'project', project_id, project_name,
        'monthly_progress',
        project_id || '|' || {{ as_text('year') }} || '|' || {{ as_text('last_reported_month') }},
        '本年累计完成投资（' || {{ as_text('last_reported_month') }} || '月报）', {{ as_text('ytd_completed') }},
        ytd_completed, null
    from completion_cohorts
    where has_initial_plan and last_reported_month is not null
    union all
    select
        region_code, year, month, cohort, 'initial_plan',
        'project', project_id, project_name,
        'annual_plans', project_id || '|' || {{ as_text('year') }} || '|年初',
        '年度计划投资（年初）', {{ as_text('annual_plan_initial') }},
        null, annual_plan_initial
    from completion_cohorts
    where has_initial_plan
),

-- 五率 parts (primary variants): numerator_part / denominator_part per source row
rate_parts as (
    -- 储备项目开工率: in the cohort by its plan (新开工), started by its registry start date
    select
        region_code, year, month, '储备项目开工率' as rate_name, cohort, 'project' as variant,
        'project' as member_type, project_id as member_id, project_name as member_name,
        'annual_plans' as source_entity,
        project_id || '|' || {{ as_text('year') }} || '|' || latest_plan_version as source_key,
        '计划类别' as source_field_zh, plan_category as source_value,
        cast(null as decimal(20, 6)) as numerator_part, cast(1 as decimal(20, 6)) as denominator_part
    from project_cohorts
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
    union all
    select
        region_code, year, month, '储备项目开工率', cohort, 'project',
        'project', project_id, project_name,
        'projects', project_id,
        '实际开工日期', {{ as_text('actual_start_date') }},
        1, null
    from project_cohorts
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
        and {{ flag_on_or_before('actual_start_date', 'as_of_date') }} = 1
    union all
    -- 竣工投产达效率: due to complete by its plan, completed by its registry completion/operation date
    select
        region_code, year, month, '竣工投产达效率', cohort, 'project',
        'project', project_id, project_name,
        'annual_plans', project_id || '|' || {{ as_text('year') }} || '|' || latest_plan_version,
        '年内计划竣工', coalesce(plan_category, ''),
        null, 1
    from project_cohorts
    where cohort in ('all_due_completion', 'key_due_completion')
    union all
    select
        region_code, year, month, '竣工投产达效率', cohort, 'project',
        'project', project_id, project_name,
        'projects', project_id,
        '竣工/投产日期', {{ as_text('completed_date') }},
        1, null
    from project_cohorts
    where cohort in ('all_due_completion', 'key_due_completion')
        and {{ flag_on_or_before('completed_date', 'as_of_date') }} = 1
    union all
    -- 前期手续办结率 (per procedure): every required procedure of a cohort project
    select
        project_cohorts.region_code, project_cohorts.year, project_cohorts.month,
        '前期手续办结率', project_cohorts.cohort, 'procedure',
        'procedure', project_cohorts.project_id || '|' || procs.procedure_type,
        project_cohorts.project_name || '：' || procs.procedure_type,
        'procedures', project_cohorts.project_id || '|' || procs.procedure_type,
        '办理状态', coalesce(procs.status, '') || coalesce('（' || {{ as_text('procs.approved_date') }} || '）', ''),
        case
            when procs.status = '已办结'
                and (procs.approved_date is null or procs.approved_date <= project_cohorts.as_of_date)
                then 1
            else 0
        end,
        1
    from project_cohorts
    inner join required_procedures as procs on project_cohorts.project_id = procs.project_id
    where project_cohorts.cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
    union all
    -- 招商引资落地率 (count): deals of the year signed by the month end, and last year's whole cohort
    select
        months.region_code, months.year, months.month, '招商引资落地率',
        case
            when {{ year_of('deals.signed_date') }} = months.year then 'signed_in_year'
            else 'signed_prior_year'
        end,
        'count',
        'deal', deals.contract_id, deals.project_name,
        'investment_contracts', deals.contract_id,
        '供地批复日期', {{ as_text('deals.land_approved_date') }},
        {{ flag_on_or_before('deals.land_approved_date', 'months.as_of_date') }},
        1
    from deals
    inner join months
        on deals.region_code = months.region_code
        and {{ year_of('deals.signed_date') }} in (months.year, months.year - 1)
    where {{ year_of('deals.signed_date') }} = months.year - 1
        or deals.signed_date <= months.as_of_date
),

rate_and_completion_parts as (
    select * from rate_parts
    union all
    select
        region_code, year, month, '计划投资完成率' as rate_name, cohort, variant,
        member_type, member_id, member_name, source_entity, source_key, source_field_zh, source_value,
        numerator_part, denominator_part
    from completion_parts
),

final as (
    select
        parts.region_code, parts.year, parts.month, parts.rate_name, parts.cohort, parts.variant,
        parts.member_type, parts.member_id, parts.member_name, parts.source_entity, parts.source_key,
        parts.source_field_zh, parts.source_value,
        -- the first branch's type, stated so that PostgreSQL keeps the scale across the union
        cast(parts.numerator_part as decimal(20, 6)) as numerator_part,
        cast(parts.denominator_part as decimal(20, 6)) as denominator_part,
        parts.rate_name || '/' || parts.cohort || '/' || parts.variant as figure_id,
        -- the plan_targets metric_key each cohort measures (seeds/dim_rate, as mart_five_rates binds it)
        rate_definitions.metric_key as bound_metric_key
    from rate_and_completion_parts as parts
    left join rate_definitions
        on parts.rate_name = rate_definitions.rate_name
        and parts.cohort = rate_definitions.cohort
        and parts.variant = rate_definitions.variant
)

select * from final
