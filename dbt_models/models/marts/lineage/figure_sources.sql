-- 数字溯源 — every headline figure broken down into the ledger rows that make it up: one row per figure x
-- member (project, procedure, deal, indicator report) x source row, with what that row adds to the
-- figure's numerator, denominator or value and where the row came from (file, sheet, row, revision).
-- Figures: targets (mart_target_progress), region x month completion (mart_region_monthly_investment) and
-- the 五率 headline cohorts (mart_five_rates, region rows, is_primary). The cohort and carry-forward rules
-- are those of the metric models (same intermediate models); figure_values checks that the parts add up to
-- the published figure, so a definition that changes without its lineage shows up as a failed check.
-- Definitions: docs/reports.md#traceability
with

months as (
    select region_code, year, month, as_of_date from {{ ref('int_report_months') }}
),

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

plans as (
    select * from {{ ref('int_annual_plans_versioned') }}
),

progress_filled as (
    select project_id, year, month, last_reported_month, ytd_completed
    from {{ ref('int_progress_monthly_filled') }}
    where basis = 'DISPATCH'
),

-- every ledger row a figure can name, keyed by entity + natural key (the key stays the same across
-- revisions, so two publishes can be compared row by row)
source_rows as (
    select
        'monthly_progress' as source_entity,
        project_id || '|' || cast(year as varchar) || '|' || cast(month as varchar) as source_key,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from {{ ref('stg_raw__monthly_progress') }}
    where basis = 'DISPATCH'
    union all
    select
        'annual_plans',
        project_id || '|' || cast(plan_year as varchar) || '|' || plan_version,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from {{ ref('stg_raw__annual_plans') }}
    union all
    select
        'projects', project_id,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from {{ ref('stg_raw__projects') }}
    union all
    select
        'procedures', project_id || '|' || procedure_type,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from {{ ref('stg_raw__procedures') }}
    union all
    select
        'investment_contracts', contract_id,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from {{ ref('stg_raw__investment_contracts') }}
    union all
    select
        'indicator_reports',
        region_code || '|' || indicator_code || '|' || cast(year as varchar) || '|' || cast(month as varchar),
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from {{ ref('stg_raw__indicator_reports') }}
),

-- one row per project x plan year x report month with what every project cohort needs
planned_months as (
    select
        plans.project_id,
        projects.project_name,
        projects.region_code,
        plans.plan_year as year,
        months.month,
        months.as_of_date,
        plans.plan_category,
        plans.latest_plan_version,
        plans.annual_plan_latest,
        coalesce(plans.planned_completion_in_year, false)
        or coalesce(plans.plan_category = '竣工', false) as is_due_to_complete,
        projects.is_key_project,
        projects.is_city_key_project,
        projects.is_new_capacity,
        projects.total_investment,
        projects.actual_start_date,
        projects.completed_date,
        progress_filled.last_reported_month,
        coalesce(progress_filled.ytd_completed, 0) as ytd_completed
    from plans
    inner join projects on plans.project_id = projects.project_id
    inner join months on projects.region_code = months.region_code and plans.plan_year = months.year
    left join progress_filled
        on plans.project_id = progress_filled.project_id
        and plans.plan_year = progress_filled.year
        and months.month = progress_filled.month
),

project_cohorts as (
    select planned_months.*, 'county_new_start_key' as cohort
    from planned_months where plan_category = '新开工' and is_key_project
    union all
    select planned_months.*, 'city_new_start_key' as cohort
    from planned_months where plan_category = '新开工' and is_city_key_project
    union all
    select planned_months.*, 'all_new_start' as cohort from planned_months where plan_category = '新开工'
    union all
    select planned_months.*, 'all_due_completion' as cohort from planned_months where is_due_to_complete
    union all
    select planned_months.*, 'key_due_completion' as cohort
    from planned_months where is_due_to_complete and is_key_project
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
    from {{ ref('int_plan_completion_members') }} as members
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
        project_id || '|' || cast(year as varchar) || '|' || cast(last_reported_month as varchar) as source_key,
        '本年累计完成投资（' || cast(last_reported_month as varchar) || '月报）' as source_field_zh,
        cast(ytd_completed as varchar) as source_value,
        cast(ytd_completed as decimal(20, 6)) as numerator_part,
        cast(null as decimal(20, 6)) as denominator_part
    from completion_cohorts
    where last_reported_month is not null
    union all
    select
        region_code, year, month, cohort, 'latest_plan',
        'project', project_id, project_name,
        'annual_plans', project_id || '|' || cast(year as varchar) || '|' || latest_plan_version,
        '年度计划投资（' || latest_plan_version || '）', cast(annual_plan_latest as varchar),
        null, coalesce(annual_plan_latest, 0)
    from completion_cohorts
    union all
    select
        region_code, year, month, cohort, 'initial_plan',
        'project', project_id, project_name,
        'monthly_progress',
        project_id || '|' || cast(year as varchar) || '|' || cast(last_reported_month as varchar),
        '本年累计完成投资（' || cast(last_reported_month as varchar) || '月报）', cast(ytd_completed as varchar),
        ytd_completed, null
    from completion_cohorts
    where has_initial_plan and last_reported_month is not null
    union all
    select
        region_code, year, month, cohort, 'initial_plan',
        'project', project_id, project_name,
        'annual_plans', project_id || '|' || cast(year as varchar) || '|年初',
        '年度计划投资（年初）', cast(annual_plan_initial as varchar),
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
        project_id || '|' || cast(year as varchar) || '|' || latest_plan_version as source_key,
        '计划类别' as source_field_zh, plan_category as source_value,
        cast(null as decimal(20, 6)) as numerator_part, cast(1 as decimal(20, 6)) as denominator_part
    from project_cohorts
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
    union all
    select
        region_code, year, month, '储备项目开工率', cohort, 'project',
        'project', project_id, project_name,
        'projects', project_id,
        '实际开工日期', cast(actual_start_date as varchar),
        1, null
    from project_cohorts
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
        and {{ rates_flag_on_or_before('actual_start_date', 'as_of_date') }} = 1
    union all
    -- 竣工投产达效率: due to complete by its plan, completed by its registry completion/operation date
    select
        region_code, year, month, '竣工投产达效率', cohort, 'project',
        'project', project_id, project_name,
        'annual_plans', project_id || '|' || cast(year as varchar) || '|' || latest_plan_version,
        '年内计划竣工', coalesce(plan_category, ''),
        null, 1
    from project_cohorts
    where cohort in ('all_due_completion', 'key_due_completion')
    union all
    select
        region_code, year, month, '竣工投产达效率', cohort, 'project',
        'project', project_id, project_name,
        'projects', project_id,
        '竣工/投产日期', cast(completed_date as varchar),
        1, null
    from project_cohorts
    where cohort in ('all_due_completion', 'key_due_completion')
        and {{ rates_flag_on_or_before('completed_date', 'as_of_date') }} = 1
    union all
    -- 前期手续办结率 (per procedure): every required procedure of a cohort project
    select
        project_cohorts.region_code, project_cohorts.year, project_cohorts.month,
        '前期手续办结率', project_cohorts.cohort, 'procedure',
        'procedure', project_cohorts.project_id || '|' || procs.procedure_type,
        project_cohorts.project_name || '：' || procs.procedure_type,
        'procedures', project_cohorts.project_id || '|' || procs.procedure_type,
        '办理状态', coalesce(procs.status, '') || coalesce('（' || cast(procs.approved_date as varchar) || '）', ''),
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
            when {{ rates_year_of('deals.signed_date') }} = months.year then 'signed_in_year'
            else 'signed_prior_year'
        end,
        'count',
        'deal', deals.contract_id, deals.project_name,
        'investment_contracts', deals.contract_id,
        '供地批复日期', cast(deals.land_approved_date as varchar),
        {{ rates_flag_on_or_before('deals.land_approved_date', 'months.as_of_date') }},
        1
    from {{ ref('stg_raw__investment_contracts') }} as deals
    inner join months
        on deals.region_code = months.region_code
        and {{ rates_year_of('deals.signed_date') }} in (months.year, months.year - 1)
    where {{ rates_year_of('deals.signed_date') }} = months.year - 1
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

rate_figures as (
    select
        rate_and_completion_parts.*,
        rate_name || '/' || cohort || '/' || variant as figure_id,
        -- the plan_targets metric_key each cohort measures (as mart_five_rates / int_metric_values bind it)
        case
            when rate_name = '招商引资落地率' and cohort = 'signed_prior_year' then 'rate:招商引资落地率'
            when rate_name in ('前期手续办结率', '储备项目开工率')
                and cohort in ('county_new_start_key', 'city_new_start_key')
                then 'rate:' || rate_name || '@' || cohort
            when rate_name = '竣工投产达效率' and cohort = 'all_due_completion' then 'rate:竣工投产达效率'
            -- the plan's 45-project target is measured against the 年初 plan; the latest plan beside it
            when rate_name = '计划投资完成率' and cohort = 'all_key' and variant = 'initial_plan'
                then 'rate:计划投资完成率'
            when rate_name = '计划投资完成率' and cohort = 'all_key' and variant = 'latest_plan'
                then 'rate:计划投资完成率@latest_plan'
        end as bound_metric_key
    from rate_and_completion_parts
),

-- 区县月度计划投资完成率: the all_planned cohort against the latest plans, months the mart publishes
region_months as (
    select region_code, year, month from {{ ref('mart_region_monthly_investment') }}
),

region_completion_parts as (
    select completion_parts.*
    from completion_parts
    inner join region_months
        on completion_parts.region_code = region_months.region_code
        and completion_parts.year = region_months.year
        and completion_parts.month = region_months.month
    where completion_parts.cohort = 'all_planned' and completion_parts.variant = 'latest_plan'
),

targets as (
    select region_code, plan_year, target_id, metric_key from {{ ref('plan_targets') }}
),

-- project-list targets (counts and sums over the year's plan list), value_part per source row
list_parts as (
    select
        region_code, year, month, 'key_project_count' as metric_key,
        project_id, project_name, 'projects' as source_entity, project_id as source_key,
        '重点项目' as source_field_zh, cast(null as varchar) as source_value,
        cast(1 as decimal(20, 6)) as value_part
    from planned_months where is_key_project
    union all
    select region_code, year, month, 'city_key_project_count', project_id, project_name, 'projects', project_id,
        '市级以上重点项目', null, 1
    from planned_months where is_city_key_project
    union all
    select region_code, year, month, 'major_project_count', project_id, project_name, 'projects', project_id,
        '总投资', cast(total_investment as varchar), 1
    from planned_months
    where is_key_project and total_investment >= {{ projects_var('major_project_min_total_wan') }}
    union all
    select region_code, year, month, 'new_capacity_project_count', project_id, project_name, 'projects', project_id,
        '新增产能项目', null, 1
    from planned_months where is_new_capacity
    union all
    select region_code, year, month, 'key_project_new_start_count', project_id, project_name, 'projects', project_id,
        '实际开工日期', cast(actual_start_date as varchar), 1
    from planned_months
    where is_key_project and plan_category = '新开工' and actual_start_date <= as_of_date
    union all
    select region_code, year, month, 'city_key_project_new_start_count', project_id, project_name, 'projects',
        project_id, '实际开工日期', cast(actual_start_date as varchar), 1
    from planned_months
    where is_city_key_project and plan_category = '新开工' and actual_start_date <= as_of_date
    union all
    select region_code, year, month, 'key_project_annual_investment', project_id, project_name, 'monthly_progress',
        project_id || '|' || cast(year as varchar) || '|' || cast(last_reported_month as varchar),
        '本年累计完成投资（' || cast(last_reported_month as varchar) || '月报）', cast(ytd_completed as varchar),
        ytd_completed
    from planned_months where is_key_project and last_reported_month is not null
    union all
    select region_code, year, month, 'city_key_project_annual_investment', project_id, project_name,
        'monthly_progress',
        project_id || '|' || cast(year as varchar) || '|' || cast(last_reported_month as varchar),
        '本年累计完成投资（' || cast(last_reported_month as varchar) || '月报）', cast(ytd_completed as varchar),
        ytd_completed
    from planned_months where is_city_key_project and last_reported_month is not null
),

-- 四个一批 stock targets: the stage of every registered project at the month end
stage_rows as (
    select
        stage_monthly.region_code, stage_monthly.year, stage_monthly.month, stage_monthly.stage_at_month,
        projects.project_id, projects.project_name, projects.total_investment, plans.annual_plan_latest,
        plans.latest_plan_version,
        coalesce(
            stage_monthly.stage_at_month = '竣工投产'
            and projects.completed_date >= {{ month_start('stage_monthly.year', '1') }},
            false
        ) as is_completed_this_year,
        key_list.project_id is not null as is_on_key_list
    from {{ ref('int_project_stage_monthly') }} as stage_monthly
    inner join projects on stage_monthly.project_id = projects.project_id
    left join plans on stage_monthly.project_id = plans.project_id and stage_monthly.year = plans.plan_year
    left join (
        select distinct project_id, year from planned_months where is_key_project
    ) as key_list
        on stage_monthly.project_id = key_list.project_id and stage_monthly.year = key_list.year
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
        'projects', project_id, '总投资', cast(total_investment as varchar), total_investment
    from stage_rows where stage_at_month in ('谋划', '储备', '竣工投产') and total_investment is not null
    union all
    select region_code, year, month, 'stage_annual_plan:开工在建', project_id, project_name,
        'annual_plans', project_id || '|' || cast(year as varchar) || '|' || latest_plan_version,
        '年度计划投资（' || latest_plan_version || '）', cast(annual_plan_latest as varchar), annual_plan_latest
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
    from {{ ref('int_four_batches_city_list') }} as city_list
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
        'projects', project_id, '总投资', cast(total_investment as varchar), total_investment
    from city_batches where batch in ('谋划', '储备', '竣工投产') and total_investment is not null
    union all
    select region_code, year, month, 'city_batch_annual_plan:开工在建', project_id, project_name,
        'annual_plans', project_id || '|' || cast(year as varchar) || '|年初',
        '年度计划投资（年初）', cast(annual_plan_initial as varchar), annual_plan_initial
    from city_batches where batch = '开工在建' and annual_plan_initial is not null
    union all
    select region_code, year, month, 'city_batch_annual_plan_latest:开工在建', project_id, project_name,
        'annual_plans', project_id || '|' || cast(year as varchar) || '|' || latest_plan_version,
        '年度计划投资（' || latest_plan_version || '）', cast(annual_plan_latest as varchar), annual_plan_latest
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
        inner join {{ ref('stg_raw__indicator_reports') }} as reports
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
        region_code || '|' || indicator_code || '|' || cast(year as varchar) || '|' || cast(reported_month as varchar)
            as source_key,
        '报送值（' || cast(reported_month as varchar) || '月）' as source_field_zh,
        cast(value as varchar) || coalesce(unit, '') as source_value,
        cast(value * case unit when '亿元' then 10000 when '元' then 0.0001 else 1 end as decimal(20, 6))
            as value_part
    from indicator_latest
),

value_parts as (
    select * from list_parts
    union all
    select * from stage_parts
    union all
    select * from city_batch_parts
    union all
    select * from indicator_parts
),

parts as (
    select
        'five_rate' as figure_kind, figure_id, region_code, year, month,
        member_type, member_id, member_name, source_entity, source_key, source_field_zh, source_value,
        numerator_part, denominator_part, cast(null as decimal(20, 6)) as value_part
    from rate_figures
    -- the 五率 figures are the mart's headline (primary) rows, whichever variants it marks so
    where exists (
        select 1 from {{ ref('mart_five_rates') }} as primary_rows
        where primary_rows.scope = 'region' and primary_rows.is_primary
            and primary_rows.region_code = rate_figures.region_code
            and primary_rows.year = rate_figures.year
            and primary_rows.month = rate_figures.month
            and primary_rows.rate_name = rate_figures.rate_name
            and primary_rows.cohort = rate_figures.cohort
            and primary_rows.variant = rate_figures.variant
    )
    union all
    select
        'target', targets.target_id, rate_figures.region_code, rate_figures.year, rate_figures.month,
        member_type, member_id, member_name, source_entity, source_key, source_field_zh, source_value,
        numerator_part, denominator_part, null
    from rate_figures
    inner join targets
        on rate_figures.bound_metric_key = targets.metric_key
        and rate_figures.region_code = targets.region_code
        and rate_figures.year = targets.plan_year
    union all
    select
        'region_completion', 'region_completion', region_code, year, month,
        member_type, member_id, member_name, source_entity, source_key, source_field_zh, source_value,
        numerator_part, denominator_part, null
    from region_completion_parts
    union all
    select
        'target', targets.target_id, value_parts.region_code, value_parts.year, value_parts.month,
        case
            when value_parts.source_entity = 'indicator_reports' then 'indicator_report' else 'project'
        end,
        value_parts.project_id, value_parts.project_name, value_parts.source_entity, value_parts.source_key,
        value_parts.source_field_zh, value_parts.source_value,
        null, null, value_parts.value_part
    from value_parts
    inner join targets
        on value_parts.metric_key = targets.metric_key
        and value_parts.region_code = targets.region_code
        and value_parts.year = targets.plan_year
),

final as (
    select
        cast(parts.figure_kind as varchar) as figure_kind,
        cast(parts.figure_id as varchar) as figure_id,
        cast(parts.region_code as varchar) as region_code,
        cast(parts.year as integer) as year,
        cast(parts.month as integer) as month,
        cast(parts.member_type as varchar) as member_type,
        cast(parts.member_id as varchar) as member_id,
        cast(parts.member_name as varchar) as member_name,
        cast(parts.source_entity as varchar) as source_entity,
        cast(parts.source_key as varchar) as source_key,
        cast(parts.source_field_zh as varchar) as source_field_zh,
        cast(parts.source_value as varchar) as source_value,
        cast(parts.numerator_part as decimal(20, 6)) as numerator_part,
        cast(parts.denominator_part as decimal(20, 6)) as denominator_part,
        cast(parts.value_part as decimal(20, 6)) as value_part,
        source_rows.source_file_id,
        source_rows.source_file,
        source_rows.source_sheet,
        source_rows.source_row,
        source_rows.revision,
        source_rows.submitting_unit,
        source_rows.ingested_at
    from parts
    left join source_rows
        on parts.source_entity = source_rows.source_entity
        and parts.source_key = source_rows.source_key
)

select * from final
