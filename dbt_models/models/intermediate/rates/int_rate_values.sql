-- The 五率 per region, per lead unit (牵头单位) and per report month before coverage: one row per scope x rate x
-- cohort x variant with cohort size, members with data, numerator, denominator and rate as of the month end,
-- and the plan_targets metric_key the row measures (seeds/dim_rate). The facts of int_rate_facts are summed
-- once for their region and once for their lead unit; 计划投资完成率 comes whole from int_plan_completion (this
-- model does not recompute it). mart_five_rates adds coverage; int_metrics__rates binds the keyed region rows
-- to targets. Definitions: docs/metrics/rates.md
with

months as (
    select region_code, year, month, as_of_date from {{ ref('int_report_months') }}
),

facts as (
    select * from {{ ref('int_rate_facts') }}
),

-- 计划投资完成率 comes whole from the one computation (ratio, coverage)
plan_completion as (
    select * from {{ ref('int_plan_completion') }}
    where dimension in ('region', 'lead_unit')
),

rate_definitions as (
    select rate_name, cohort, variant, metric_key from {{ ref('dim_rate') }}
),

-- every fact counts once for its region and once for its lead unit
scopes as (
    select 'region' as scope
    union all
    select 'lead_unit' as scope
),

scoped as (
    select
        facts.region_code,
        facts.year,
        facts.month,
        facts.as_of_date,
        scopes.scope,
        case when scopes.scope = 'lead_unit' then facts.lead_unit end as lead_unit,
        facts.rate_name,
        facts.cohort,
        facts.variant,
        facts.member_id,
        facts.in_cohort,
        facts.has_data,
        facts.num_value,
        facts.den_value
    from facts
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

final as (
    select
        all_rows.region_code, all_rows.year, all_rows.month, all_rows.as_of_date, all_rows.scope,
        all_rows.lead_unit, all_rows.rate_name, all_rows.cohort, all_rows.variant, all_rows.cohort_size,
        all_rows.members_with_data,
        -- the union's type on DuckDB, stated so that PostgreSQL keeps the scale too
        cast(all_rows.numerator as decimal(38, 4)) as numerator,
        cast(all_rows.denominator as decimal(38, 4)) as denominator,
        {{ safe_ratio('all_rows.numerator', 'all_rows.denominator') }} as rate,
        rate_definitions.metric_key
    from all_rows
    left join rate_definitions
        on all_rows.rate_name = rate_definitions.rate_name
        and all_rows.cohort = rate_definitions.cohort
        and all_rows.variant = rate_definitions.variant
)

select * from final
