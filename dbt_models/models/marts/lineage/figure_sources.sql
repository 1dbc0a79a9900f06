-- 数字溯源 — every headline figure broken down into the ledger rows that make it up: one row per figure x
-- member (project, procedure, deal, indicator report) x source row, with what that row adds to the
-- figure's numerator, denominator or value and where the row came from (file, sheet, row, revision).
-- Figures: targets (mart_target_progress), region x month completion (mart_region_monthly_investment) and
-- the 五率 headline cohorts (mart_five_rates, region rows, is_primary). The cohort and carry-forward rules
-- are those of the metric models (same intermediate models); figure_values checks that the parts add up to
-- the published figure, so a definition that changes without its lineage shows up as a failed check.
-- Definitions: docs/reports.md#traceability
with

rate_figures as (
    select * from {{ ref('int_figure_rate_parts') }}
),

value_parts as (
    select * from {{ ref('int_figure_value_parts') }}
),

source_rows as (
    select * from {{ ref('int_figure_source_rows') }}
),

targets as (
    select region_code, plan_year, target_id, metric_key from {{ ref('plan_targets') }}
),

-- 区县月度计划投资完成率: the all_planned cohort against the latest plans, months the mart publishes
region_months as (
    select region_code, year, month from {{ ref('mart_region_monthly_investment') }}
),

region_completion_parts as (
    select rate_figures.*
    from rate_figures
    inner join region_months
        on rate_figures.region_code = region_months.region_code
        and rate_figures.year = region_months.year
        and rate_figures.month = region_months.month
    where rate_figures.rate_name = '计划投资完成率'
        and rate_figures.cohort = 'all_planned' and rate_figures.variant = 'latest_plan'
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
        {{ as_text('parts.figure_kind') }} as figure_kind,
        {{ as_text('parts.figure_id') }} as figure_id,
        {{ as_text('parts.region_code') }} as region_code,
        cast(parts.year as integer) as year,
        cast(parts.month as integer) as month,
        {{ as_text('parts.member_type') }} as member_type,
        {{ as_text('parts.member_id') }} as member_id,
        {{ as_text('parts.member_name') }} as member_name,
        {{ as_text('parts.source_entity') }} as source_entity,
        {{ as_text('parts.source_key') }} as source_key,
        {{ as_text('parts.source_field_zh') }} as source_field_zh,
        {{ as_text('parts.source_value') }} as source_value,
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
