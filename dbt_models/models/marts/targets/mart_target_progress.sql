-- Every target of both plans at every report month: actual, expected by now, gap, status, owner,
-- year-end forecast at the current pace. Definitions: docs/metrics/targets.md
with

targets as (
    select * from {{ ref('plan_targets') }}
),

months as (
    select * from {{ ref('int_report_months') }}
),

metric_values as (
    select * from {{ ref('int_metric_values') }}
),

classified as (
    select
        targets.*,
        -- level targets hold at any time (growth, shares, list sizes, stage stocks); cumulative targets
        -- accrue toward their due date (amounts, counts achieved, rates of a cohort done)
        case
            when targets.metric_key like 'stats_aggregate:%' then 'level'
            when targets.comparator = '~' then 'level'
            when targets.metric_key like '%growth%' or targets.metric_key like '%share%' then 'level'
            when targets.metric_key in ('key_project_count', 'city_key_project_count', 'major_project_count')
                then 'level'
            when targets.metric_key like 'stage_count:%' or targets.metric_key like 'stage_investment:%'
                or targets.metric_key like 'stage_annual_plan:%' then 'level'
            else 'cumulative'
        end as pace_type,
        case
            when extract(year from targets.due_date) = targets.plan_year then extract(month from targets.due_date)
            else 12
        end as due_month,
        case
            when targets.unit = 'ratio' then {{ var('growth_tolerance') }}
            else abs(targets.target_value) * {{ var('relative_tolerance') }}
        end as tolerance
    from targets
),

target_months as (
    select
        classified.*,
        months.month,
        months.period_label,
        months.as_of_date,
        months.quarter,
        months.is_quarter_end,
        case
            when classified.pace_type = 'level' then classified.target_value
            when months.month >= classified.due_month then classified.target_value
            else classified.target_value * months.month / classified.due_month
        end as expected_by_now
    from classified
    inner join months
        on classified.region_code = months.region_code
        and classified.plan_year = months.year
),

measured as (
    select
        target_months.*,
        metric_values.actual_value,
        metric_values.numerator,
        metric_values.denominator,
        coalesce(metric_values.actual_source, 'none') as actual_source,
        case
            when metric_values.actual_value is null then null
            when target_months.pace_type = 'cumulative' and target_months.month < target_months.due_month
                then metric_values.actual_value * target_months.due_month / target_months.month
            else metric_values.actual_value
        end as forecast_at_due
    from target_months
    left join metric_values
        on target_months.region_code = metric_values.region_code
        and target_months.plan_year = metric_values.year
        and target_months.month = metric_values.month
        and target_months.metric_key = metric_values.metric_key
),

assessed as (
    select
        measured.*,
        {{ target_met('measured.actual_value', 'measured.target_value', 'measured.comparator', 'measured.tolerance') }}
            as is_met,
        {{ target_met('measured.forecast_at_due', 'measured.target_value', 'measured.comparator', 'measured.tolerance') }}
            as forecast_meets_target,
        case
            when measured.actual_value is null then null
            when measured.comparator = '<=' then
                case when measured.actual_value = 0 then null else measured.expected_by_now / measured.actual_value end
            when measured.expected_by_now = 0 then null
            else measured.actual_value / measured.expected_by_now
        end as pace_ratio
    from measured
),

final as (
    select
        target_id,
        region_code,
        plan_year,
        month,
        period_label,
        as_of_date,
        quarter,
        is_quarter_end,
        section,
        indicator_zh,
        metric_key,
        comparator,
        cast(target_value as decimal(20, 6)) as target_value,
        unit,
        due_date,
        due_month,
        pace_type,
        coalesce(lead_unit, '（未指定）') as lead_unit,
        responsible_units,
        actual_source,
        actual_value,
        numerator,
        denominator,
        cast(
            case when target_value <> 0 then actual_value / target_value end as decimal(20, 6)
        ) as actual_to_target,
        cast(expected_by_now as decimal(20, 6)) as expected_by_now,
        cast(actual_value - expected_by_now as decimal(20, 6)) as gap_to_expected,
        cast(pace_ratio as decimal(20, 6)) as pace_ratio,
        case
            when actual_value is null then '无数据'
            when is_met then '达标'
            when pace_ratio is null or pace_ratio >= {{ var('status_normal_ratio') }} then '正常'
            when pace_ratio >= {{ var('status_severe_ratio') }} then '滞后'
            else '严重滞后'
        end as status,
        cast(forecast_at_due as decimal(20, 6)) as forecast_at_due,
        forecast_meets_target,
        conflict_group,
        source_text
    from assessed
)

select * from final
