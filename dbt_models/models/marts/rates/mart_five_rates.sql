-- 五率 (the five rates) per region, per lead unit (牵头单位) and per report month, one row per
-- rate x cohort x variant: numerator, denominator and rate as of the end of the month (int_rate_values), the
-- rate's names, headline flag and metric key (seeds/dim_rate), and its coverage: members without data and the
-- rows of its ledger held back or rejected (int_held_back_rows).
-- Definitions, cohorts and decisions: docs/metrics/rates.md
with

rate_values as (
    select * from {{ ref('int_rate_values') }}
),

rate_definitions as (
    select * from {{ ref('dim_rate') }}
),

projects as (
    select project_id, lead_unit from {{ ref('int_projects_enriched') }}
),

held_back as (
    select * from {{ ref('int_held_back_rows') }}
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
        rate_values.region_code, rate_values.year, rate_values.month, rate_values.scope, rate_values.lead_unit,
        rate_values.rate_name, rate_values.cohort, rate_values.variant,
        count(held_attributed.source_row) as held_rows
    from rate_values
    inner join held_attributed
        on rate_values.region_code = held_attributed.region_code
        and (
            held_attributed.rate_name = rate_values.rate_name
            or (held_attributed.entity = 'projects' and rate_values.rate_name <> '招商引资落地率')
        )
        and (rate_values.scope = 'region' or held_attributed.lead_unit = rate_values.lead_unit)
        and (
            held_attributed.entity not in ('monthly_progress', 'annual_plans')
            or (
                held_attributed.year = rate_values.year
                and (held_attributed.entity = 'annual_plans' or held_attributed.month = rate_values.month)
            )
        )
    group by rate_values.region_code, rate_values.year, rate_values.month, rate_values.scope, rate_values.lead_unit,
        rate_values.rate_name, rate_values.cohort, rate_values.variant
),

covered as (
    select
        rate_values.*,
        coalesce(held_by_rate.held_rows, 0) as held_rows
    from rate_values
    left join held_by_rate
        on rate_values.region_code = held_by_rate.region_code
        and rate_values.year = held_by_rate.year
        and rate_values.month = held_by_rate.month
        and rate_values.scope = held_by_rate.scope
        and coalesce(rate_values.lead_unit, '') = coalesce(held_by_rate.lead_unit, '')
        and rate_values.rate_name = held_by_rate.rate_name
        and rate_values.cohort = held_by_rate.cohort
        and rate_values.variant = held_by_rate.variant
),

final as (
    select
        covered.region_code,
        covered.year,
        covered.month,
        covered.as_of_date,
        covered.scope,
        covered.lead_unit,
        covered.rate_name,
        rate_definitions.rate_name_en,
        covered.cohort,
        covered.variant,
        rate_definitions.is_primary,
        rate_definitions.counted_in,
        rate_definitions.source_ledger,
        covered.metric_key,
        cast(covered.cohort_size as integer) as cohort_size,
        cast(covered.numerator as decimal(20, 6)) as numerator,
        cast(covered.denominator as decimal(20, 6)) as denominator,
        covered.rate,
        cast(covered.cohort_size as integer) as coverage_expected,
        cast(covered.members_with_data as integer) as coverage_reported,
        cast(covered.held_rows as integer) as coverage_held_back_rows,
        {{ coverage_note_zh(
            'covered.cohort_size - covered.members_with_data',
            'covered.held_rows',
            'rate_definitions.coverage_missing_zh'
        ) }} as coverage_note_zh
    from covered
    left join rate_definitions
        on covered.rate_name = rate_definitions.rate_name
        and covered.cohort = rate_definitions.cohort
        and covered.variant = rate_definitions.variant
)

select * from final
