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

five_rates as (
    select region_code, year, month, metric_key, coverage_expected, coverage_reported, coverage_held_back_rows,
        coverage_note_zh
    from {{ ref('mart_five_rates') }}
    where scope = 'region' and metric_key is not null
),

plan_completion as (
    select * from {{ ref('int_plan_completion') }}
    where dimension = 'region' and cohort in ('all_key', 'city_key')
),

held_back as (
    select region_code, entity, year, month from {{ ref('int_held_back_rows') }}
),

-- coverage of every measured value (docs/metrics/coverage.md): the 五率 carry their own; the key projects'
-- investment is covered by the projects that reported this month; other figures list only the rows of
-- their ledgers that are held back or rejected (registry rows for project data; the unit's report rows for
-- indicator reports, statistics aggregates and funds); one value expected from a unit's own report
coverage_sources as (
    select region_code, year, month, metric_key, coverage_expected, coverage_reported,
        coverage_held_back_rows as held_rows, coverage_note_zh as rate_note_zh, true as is_rate
    from five_rates
    union all
    select
        region_code, year, month,
        case cohort
            when 'all_key' then 'key_project_annual_investment'
            else 'city_key_project_annual_investment'
        end as metric_key,
        projects_planned as coverage_expected,
        projects_reporting as coverage_reported,
        cast(null as integer) as held_rows,
        cast(null as {{ dbt.type_string() }}) as rate_note_zh,
        false as is_rate
    from plan_completion
),

held_by_ledger as (
    select
        months.region_code,
        months.year,
        months.month,
        sum(case when held_back.entity = 'projects' then 1 else 0 end) as registry_rows,
        sum(
            case
                when held_back.entity = 'monthly_progress' and held_back.year = months.year
                    and held_back.month = months.month then 1
                when held_back.entity = 'annual_plans' and held_back.year = months.year then 1
                else 0
            end
        ) as progress_rows,
        sum(
            case
                when held_back.entity = 'indicator_reports' and held_back.year = months.year
                    and coalesce(held_back.month, 0) <= months.month then 1
                else 0
            end
        ) as indicator_rows,
        sum(
            case
                when held_back.entity = 'fai_aggregates' and held_back.year = months.year
                    and coalesce(held_back.month, 0) <= months.month then 1
                else 0
            end
        ) as stats_rows,
        sum(case when held_back.entity = 'funds' then 1 else 0 end) as fund_rows,
        sum(case when held_back.entity = 'investment_contracts' then 1 else 0 end) as deal_rows
    from months
    inner join held_back on months.region_code = held_back.region_code
    group by months.region_code, months.year, months.month
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
            -- the city's 谋划/储备 batches are lists (a stock); its 开工/竣工 batches accrue over the year
            when targets.metric_key like 'city_batch_%:谋划' or targets.metric_key like 'city_batch_%:储备'
                then 'level'
            else 'cumulative'
        end as pace_type,
        -- bigint, as DuckDB's extract gives it (PostgreSQL's extract returns numeric)
        cast(
            case
                when extract(year from targets.due_date) = targets.plan_year then extract(month from targets.due_date)
                else 12
            end as bigint
        ) as due_month,
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
            -- in double, as DuckDB divides a decimal: every engine then compares and rounds the same number
            else {{ as_double('classified.target_value * months.month') }} / classified.due_month
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
                then {{ as_double('metric_values.actual_value * target_months.due_month') }} / target_months.month
            else metric_values.actual_value
        end as forecast_at_due,
        case
            when coverage_sources.metric_key is not null then coverage_sources.coverage_expected
            when target_months.metric_key like 'indicator_report:%' or target_months.metric_key like 'stats_aggregate:%'
                then 1
        end as coverage_expected,
        case
            when coverage_sources.metric_key is not null then coverage_sources.coverage_reported
            when target_months.metric_key like 'indicator_report:%' or target_months.metric_key like 'stats_aggregate:%'
                then case when metric_values.actual_value is null then 0 else 1 end
        end as coverage_reported,
        coalesce(coverage_sources.is_rate, false) as coverage_from_rate,
        coverage_sources.rate_note_zh,
        coalesce(
            coverage_sources.held_rows,
            case
                when target_months.metric_key in ('key_project_annual_investment', 'city_key_project_annual_investment')
                    then held_by_ledger.progress_rows + held_by_ledger.registry_rows
                when target_months.metric_key like 'attraction%' then held_by_ledger.deal_rows
                when target_months.metric_key like 'indicator_report:%' then held_by_ledger.indicator_rows
                when target_months.metric_key like 'stats_aggregate:%' then held_by_ledger.stats_rows
                when target_months.metric_key like 'funding%' or target_months.metric_key like '%fund%'
                    or target_months.metric_key like 'bond%' or target_months.metric_key like 'treasury%'
                    then held_by_ledger.fund_rows
                else held_by_ledger.registry_rows
            end,
            0
        ) as coverage_held_back_rows
    from target_months
    left join metric_values
        on target_months.region_code = metric_values.region_code
        and target_months.plan_year = metric_values.year
        and target_months.month = metric_values.month
        and target_months.metric_key = metric_values.metric_key
    left join coverage_sources
        on target_months.region_code = coverage_sources.region_code
        and target_months.plan_year = coverage_sources.year
        and target_months.month = coverage_sources.month
        and target_months.metric_key = coverage_sources.metric_key
    left join held_by_ledger
        on target_months.region_code = held_by_ledger.region_code
        and target_months.plan_year = held_by_ledger.year
        and target_months.month = held_by_ledger.month
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
        {{ safe_ratio('actual_value', 'target_value', 20, 6) }} as actual_to_target,
        {{ decimal_from_double('expected_by_now', 20, 6) }} as expected_by_now,
        {{ decimal_from_double('actual_value - expected_by_now', 20, 6) }} as gap_to_expected,
        {{ decimal_from_double('pace_ratio', 20, 6) }} as pace_ratio,
        case
            when actual_value is null then '无数据'
            when is_met then '达标'
            when pace_ratio is null or pace_ratio >= {{ var('status_normal_ratio') }} then '正常'
            when pace_ratio >= {{ var('status_severe_ratio') }} then '滞后'
            else '严重滞后'
        end as status,
        {{ decimal_from_double('forecast_at_due', 20, 6) }} as forecast_at_due,
        forecast_meets_target,
        conflict_group,
        source_text,
        cast(coverage_expected as integer) as coverage_expected,
        cast(coverage_reported as integer) as coverage_reported,
        cast(coverage_held_back_rows as integer) as coverage_held_back_rows,
        case
            when coverage_from_rate then rate_note_zh
            else {{ coverage_note_zh(
                'coverage_expected - coverage_reported',
                'coverage_held_back_rows',
                "case
                        when metric_key like 'indicator_report:%' or metric_key like 'stats_aggregate:%'
                        then '项数据本月未报送'
                    else '个项目本月未报送（按最近一次报送的累计数计入，本年未报送过的计0）'
                end"
            ) }}
        end as coverage_note_zh
    from assessed
)

select * from final
