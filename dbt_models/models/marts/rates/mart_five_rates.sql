-- 五率 (the five rates) per region, per lead unit (牵头单位) and per report month, one row per
-- rate x cohort x variant: numerator, denominator and rate as of the end of the month.
-- Every cohort member (deal, project or procedure) is first turned into a fact row with its own
-- numerator/denominator contribution; the facts are then summed per region and per lead unit.
-- Definitions, cohorts and decisions: docs/metrics/rates.md
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

-- 计划投资完成率 comes whole from the one computation (ratio, coverage); this mart does not recompute it
plan_completion as (
    select * from {{ ref('int_plan_completion') }}
    where dimension in ('region', 'lead_unit')
),

held_back as (
    select * from {{ ref('int_held_back_rows') }}
),

required_procedures as (
    -- only approvals the project needs: 是否必需 = 否 and 不适用 are out of the denominator
    select project_id, procedure_type, status, approved_date
    from {{ ref('stg_raw__procedures') }}
    where coalesce(is_required, true) and coalesce(status, '') <> '不适用'
),

deals as (
    select * from {{ ref('stg_raw__investment_contracts') }}
),

-- one row per project and plan year with everything a cohort needs (latest plan version)
planned_projects as (
    select
        plans.project_id,
        projects.region_code,
        coalesce(nullif(trim(projects.lead_unit), ''), '（未填报）') as lead_unit,
        plans.plan_year as year,
        plans.plan_category,
        plans.planned_start_month,
        coalesce(plans.planned_completion_in_year, false)
        or coalesce(plans.plan_category = '竣工', false) as is_due_to_complete,
        plans.annual_plan_initial,
        plans.annual_plan_latest,
        projects.is_key_project,
        projects.is_city_key_project,
        projects.actual_start_date,
        projects.completed_date,
        -- 入库 standard: in the statistical library from its entry date, planned total ≥ 500 万元
        projects.in_stats_library,
        projects.stats_entry_date,
        projects.total_investment
    from plans
    inner join projects on plans.project_id = projects.project_id
),

-- cohort membership; a project belongs to every cohort whose condition it meets
project_cohorts as (
    select planned_projects.*, 'county_new_start_key' as cohort
    from planned_projects where plan_category = '新开工' and is_key_project
    union all
    select planned_projects.*, 'city_new_start_key' as cohort
    from planned_projects where plan_category = '新开工' and is_city_key_project
    union all
    select planned_projects.*, 'all_new_start' as cohort
    from planned_projects where plan_category = '新开工'
    union all
    select planned_projects.*, 'all_due_completion' as cohort
    from planned_projects where is_due_to_complete
    union all
    select planned_projects.*, 'key_due_completion' as cohort
    from planned_projects where is_due_to_complete and is_key_project
),

project_months as (
    select
        project_cohorts.*,
        months.month,
        months.as_of_date
    from project_cohorts
    inner join months
        on project_cohorts.region_code = months.region_code
        and project_cohorts.year = months.year
),

-- 储备项目开工率: started (actual_start_date ≤ month end) over the new-start cohort;
-- variant scheduled (序时开工率): only projects whose planned start month has come
start_facts as (
    select
        region_code, lead_unit, year, month, as_of_date,
        '储备项目开工率' as rate_name, cohort, 'project' as variant, project_id as member_id,
        1 as in_cohort,
        1 as has_data,
        {{ rates_flag_on_or_before('actual_start_date', 'as_of_date') }} as num_value,
        1 as den_value
    from project_months
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
    union all
    -- variant stats_library (统计标准开工): started and in the statistical library (入库, total ≥ 500 万元) by the
    -- month end — "严格项目开工建设数据按统计标准监测调度"
    select
        region_code, lead_unit, year, month, as_of_date,
        '储备项目开工率' as rate_name, cohort, 'stats_library' as variant, project_id as member_id,
        1 as in_cohort,
        1 as has_data,
        case
            when coalesce(
                in_stats_library
                and total_investment >= {{ projects_var('stats_min_total_wan') }}
                and (stats_entry_date is null or stats_entry_date <= as_of_date),
                false
            )
                then {{ rates_flag_on_or_before('actual_start_date', 'as_of_date') }}
            else 0
        end as num_value,
        1 as den_value
    from project_months
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
    union all
    select
        region_code, lead_unit, year, month, as_of_date,
        '储备项目开工率' as rate_name, cohort, 'scheduled' as variant, project_id as member_id,
        case when planned_start_month <= month then 1 else 0 end as in_cohort,
        1 as has_data,
        case
            when planned_start_month <= month
                then {{ rates_flag_on_or_before('actual_start_date', 'as_of_date') }}
            else 0
        end as num_value,
        case when planned_start_month <= month then 1 else 0 end as den_value
    from project_months
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
),

-- 前期手续办结率: every required procedure of a cohort project, done when 已办结 by the month end
-- (an 已办结 row without a date counts as done: the status is what the unit reports)
procedure_status as (
    select
        project_months.region_code,
        project_months.lead_unit,
        project_months.year,
        project_months.month,
        project_months.as_of_date,
        project_months.cohort,
        project_months.project_id,
        required_procedures.procedure_type,
        case
            when required_procedures.status = '已办结'
                and (
                    required_procedures.approved_date is null
                    or required_procedures.approved_date <= project_months.as_of_date
                )
                then 1
            else 0
        end as is_done
    from project_months
    left join required_procedures on project_months.project_id = required_procedures.project_id
    where project_months.cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
),

procedure_by_project as (
    select
        region_code, lead_unit, year, month, as_of_date, cohort, project_id,
        count(procedure_type) as n_required,
        sum(case when procedure_type is not null then is_done else 0 end) as n_done
    from procedure_status
    group by region_code, lead_unit, year, month, as_of_date, cohort, project_id
),

procedure_facts as (
    select
        region_code, lead_unit, year, month, as_of_date,
        '前期手续办结率' as rate_name, cohort, 'procedure' as variant, project_id as member_id,
        1 as in_cohort,
        case when n_required > 0 then 1 else 0 end as has_data,
        n_done as num_value,
        n_required as den_value
    from procedure_by_project
    union all
    -- project level: a project counts when it has required procedures and all are done
    select
        region_code, lead_unit, year, month, as_of_date,
        '前期手续办结率' as rate_name, cohort, 'project' as variant, project_id as member_id,
        1 as in_cohort,
        case when n_required > 0 then 1 else 0 end as has_data,
        case when n_required > 0 and n_done = n_required then 1 else 0 end as num_value,
        1 as den_value
    from procedure_by_project
),

-- 竣工投产达效率: projects due to complete in the year that are completed/in operation by the month end
completion_facts as (
    select
        region_code, lead_unit, year, month, as_of_date,
        '竣工投产达效率' as rate_name, cohort, 'project' as variant, project_id as member_id,
        1 as in_cohort,
        1 as has_data,
        {{ rates_flag_on_or_before('completed_date', 'as_of_date') }} as num_value,
        1 as den_value
    from project_months
    where cohort in ('all_due_completion', 'key_due_completion')
),

-- 招商引资落地率: deals of the report year (signed by the month end) and the whole prior-year
-- cohort; 落地 = land_approved_date ≤ month end; terminated (终止) deals stay in the denominator
deal_base as (
    select
        deals.contract_id,
        deals.region_code,
        coalesce(linked.lead_unit, deals.submitting_unit, '（未填报）') as lead_unit,
        {{ rates_year_of('deals.signed_date') }} as signed_year,
        deals.signed_date,
        -- an unreadable 签约金额 (null) keeps the deal in every count; it adds 0 to the amount variant and is
        -- reported as not covered there
        coalesce(deals.contract_amount, 0) as contract_amount,
        case when deals.contract_amount is null then 0 else 1 end as has_amount,
        deals.land_approved_date
    from deals
    left join projects as linked on deals.project_id = linked.project_id
),

deal_months as (
    select
        deal_base.*,
        months.year,
        months.month,
        months.as_of_date,
        case when deal_base.signed_year = months.year then 'signed_in_year' else 'signed_prior_year' end as cohort,
        case
            when deal_base.signed_year = months.year
                then {{ rates_flag_on_or_before('deal_base.signed_date', 'months.as_of_date') }}
            else 1
        end as in_cohort,
        {{ rates_flag_on_or_before('deal_base.land_approved_date', 'months.as_of_date') }} as is_landed
    from deal_base
    inner join months
        on deal_base.region_code = months.region_code
        and deal_base.signed_year in (months.year, months.year - 1)
),

landing_facts as (
    select
        region_code, lead_unit, year, month, as_of_date,
        '招商引资落地率' as rate_name, cohort, 'count' as variant, contract_id as member_id,
        in_cohort,
        1 as has_data,
        in_cohort * is_landed as num_value,
        in_cohort as den_value
    from deal_months
    union all
    select
        region_code, lead_unit, year, month, as_of_date,
        '招商引资落地率' as rate_name, cohort, 'amount' as variant, contract_id as member_id,
        in_cohort,
        has_amount as has_data,
        in_cohort * is_landed * contract_amount as num_value,
        in_cohort * contract_amount as den_value
    from deal_months
),

all_facts as (
    select * from landing_facts
    union all
    select * from procedure_facts
    union all
    select * from start_facts
    union all
    select * from completion_facts
),

-- every fact counts once for its region and once for its lead unit
scopes as (
    select 'region' as scope
    union all
    select 'lead_unit' as scope
),

scoped as (
    select
        all_facts.region_code,
        all_facts.year,
        all_facts.month,
        all_facts.as_of_date,
        scopes.scope,
        case when scopes.scope = 'lead_unit' then all_facts.lead_unit end as lead_unit,
        all_facts.rate_name,
        all_facts.cohort,
        all_facts.variant,
        all_facts.member_id,
        all_facts.in_cohort,
        all_facts.has_data,
        all_facts.num_value,
        all_facts.den_value
    from all_facts
    cross join scopes
),

aggregated as (
    select
        region_code,
        year,
        month,
        as_of_date,
        scope,
        lead_unit,
        rate_name,
        cohort,
        variant,
        count(distinct case when in_cohort = 1 then member_id end) as cohort_size,
        count(distinct case when in_cohort = 1 and has_data = 1 then member_id end) as members_with_data,
        sum(num_value) as numerator,
        sum(den_value) as denominator
    from scoped
    group by region_code, year, month, as_of_date, scope, lead_unit, rate_name, cohort, variant
),

plan_completion_rows as (
    select
        plan_completion.region_code,
        plan_completion.year,
        plan_completion.month,
        months.as_of_date,
        case when plan_completion.dimension = 'region' then 'region' else 'lead_unit' end as scope,
        case when plan_completion.dimension = 'lead_unit' then plan_completion.group_name end as lead_unit,
        '计划投资完成率' as rate_name,
        plan_completion.cohort,
        variants.variant,
        case when variants.variant = 'initial_plan' then plan_completion.projects_with_initial_plan
            else plan_completion.projects_planned end as cohort_size,
        case when variants.variant = 'initial_plan' then plan_completion.projects_reporting_initial
            else plan_completion.projects_reporting end as members_with_data,
        case when variants.variant = 'initial_plan' then plan_completion.ytd_completed_initial_wan
            else plan_completion.ytd_completed_wan end as numerator,
        case when variants.variant = 'initial_plan' then plan_completion.annual_plan_initial_wan
            else plan_completion.annual_plan_latest_wan end as denominator
    from plan_completion
    inner join months
        on plan_completion.region_code = months.region_code
        and plan_completion.year = months.year
        and plan_completion.month = months.month
    cross join (
        select 'latest_plan' as variant
        union all
        select 'initial_plan' as variant
    ) as variants
),

all_rows as (
    select * from aggregated
    union all
    select * from plan_completion_rows
),

-- rows missing from a rate's ledger (held back or rejected), by region and, when a row names its project,
-- by lead unit: deals, procedures and registry rows whatever their period; progress rows of the month and
-- plan rows of the year for 计划投资完成率
held_attributed as (
    select
        held_back.*,
        coalesce(nullif(trim(projects.lead_unit), ''), '（未填报）') as lead_unit,
        case held_back.entity
            when 'investment_contracts' then '招商引资落地率'
            when 'procedures' then '前期手续办结率'
            when 'monthly_progress' then '计划投资完成率'
            when 'annual_plans' then '计划投资完成率'
        end as rate_name
    from held_back
    left join projects on held_back.project_id = projects.project_id
    where held_back.entity in ('investment_contracts', 'procedures', 'monthly_progress', 'annual_plans', 'projects')
),

held_by_rate as (
    select
        all_rows.region_code, all_rows.year, all_rows.month, all_rows.scope, all_rows.lead_unit,
        all_rows.rate_name, all_rows.cohort, all_rows.variant,
        count(held_attributed.source_row) as held_rows
    from all_rows
    inner join held_attributed
        on all_rows.region_code = held_attributed.region_code
        and (
            held_attributed.rate_name = all_rows.rate_name
            or (held_attributed.entity = 'projects' and all_rows.rate_name <> '招商引资落地率')
        )
        and (all_rows.scope = 'region' or held_attributed.lead_unit = all_rows.lead_unit)
        and (
            held_attributed.entity not in ('monthly_progress', 'annual_plans')
            or (
                held_attributed.year = all_rows.year
                and (held_attributed.entity = 'annual_plans' or held_attributed.month = all_rows.month)
            )
        )
    group by all_rows.region_code, all_rows.year, all_rows.month, all_rows.scope, all_rows.lead_unit,
        all_rows.rate_name, all_rows.cohort, all_rows.variant
),

covered as (
    select
        all_rows.*,
        coalesce(held_by_rate.held_rows, 0) as held_rows
    from all_rows
    left join held_by_rate
        on all_rows.region_code = held_by_rate.region_code
        and all_rows.year = held_by_rate.year
        and all_rows.month = held_by_rate.month
        and all_rows.scope = held_by_rate.scope
        and coalesce(all_rows.lead_unit, '') = coalesce(held_by_rate.lead_unit, '')
        and all_rows.rate_name = held_by_rate.rate_name
        and all_rows.cohort = held_by_rate.cohort
        and all_rows.variant = held_by_rate.variant
),

final as (
    select
        region_code,
        year,
        month,
        as_of_date,
        scope,
        lead_unit,
        rate_name,
        case rate_name
            when '招商引资落地率' then 'investment deal landing rate'
            when '前期手续办结率' then 'pre-construction approval completion rate'
            when '储备项目开工率' then 'new-start project commencement rate'
            when '计划投资完成率' then 'annual plan investment completion rate'
            when '竣工投产达效率' then 'completion and operation rate'
        end as rate_name_en,
        cohort,
        variant,
        case
            when rate_name = '招商引资落地率' and variant = 'count' then true
            when rate_name = '前期手续办结率' and variant = 'procedure' then true
            when rate_name in ('储备项目开工率', '竣工投产达效率') and variant = 'project' then true
            when rate_name = '计划投资完成率' and variant = 'initial_plan' then true
            else false
        end as is_primary,
        case
            when rate_name = '招商引资落地率' and variant = 'amount' then '万元'
            when rate_name = '招商引资落地率' then 'deal'
            when rate_name = '前期手续办结率' and variant = 'procedure' then 'procedure'
            when rate_name = '计划投资完成率' then '万元'
            else 'project'
        end as counted_in,
        case rate_name
            when '招商引资落地率' then 'investment_contracts'
            when '前期手续办结率' then 'procedures'
            when '计划投资完成率' then 'monthly_progress:DISPATCH'
            else 'projects'
        end as source_ledger,
        case
            when rate_name = '招商引资落地率' and cohort = 'signed_prior_year' and variant = 'count'
                then 'rate:招商引资落地率'
            when rate_name in ('前期手续办结率') and variant = 'procedure'
                and cohort in ('county_new_start_key', 'city_new_start_key')
                then 'rate:' || rate_name || '@' || cohort
            when rate_name in ('储备项目开工率') and variant = 'project'
                and cohort in ('county_new_start_key', 'city_new_start_key')
                then 'rate:' || rate_name || '@' || cohort
            when rate_name = '竣工投产达效率' and cohort = 'all_due_completion' and variant = 'project'
                then 'rate:竣工投产达效率'
            when rate_name = '计划投资完成率' and cohort = 'all_key' and variant = 'initial_plan'
                then 'rate:计划投资完成率'
            when rate_name = '计划投资完成率' and cohort = 'all_key' and variant = 'latest_plan'
                then 'rate:计划投资完成率@latest_plan'
        end as metric_key,
        cast(cohort_size as integer) as cohort_size,
        cast(numerator as decimal(20, 6)) as numerator,
        cast(denominator as decimal(20, 6)) as denominator,
        {{ rates_safe_ratio('numerator', 'denominator') }} as rate,
        cast(cohort_size as integer) as coverage_expected,
        cast(members_with_data as integer) as coverage_reported,
        cast(held_rows as integer) as coverage_held_back_rows,
        {{ coverage_note_zh(
            'cohort_size - members_with_data',
            'held_rows',
            "case rate_name
                when '招商引资落地率' then '个签约项目签约金额无法读取（计入个数，不计金额）'
                when '前期手续办结率' then '个项目未报送前期手续台账'
                when '计划投资完成率' then '个项目本月未报送（按最近一次报送的累计数计入，本年未报送过的计0）'
                else '个项目无数据'
            end"
        ) }} as coverage_note_zh
    from covered
)

select * from final
