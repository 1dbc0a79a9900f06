-- 计划投资完成率 by region and month (dispatch figures): the region rows of the one computation
-- (int_plan_completion, cohort all_planned): Σ carried-forward YTD of every project on the year's plan over
-- Σ its annual plan, against the exact time pace, with the coverage of the figure (projects that did not
-- report this month, rows held back or rejected). Months: those in which at least one planned project of
-- the region reported.
-- Definition: docs/metrics/progress.md#region-monthly-investment
with

completion as (
    select * from {{ ref('int_plan_completion') }}
    where cohort = 'all_planned' and dimension = 'region'
),

held_back as (
    select * from {{ ref('int_held_back_rows') }}
),

-- the latest month in which any planned project of the region reported: later months are not reported yet
data_months as (
    select region_code, year, max(month) as data_month
    from completion
    where projects_reporting > 0
    group by region_code, year
),

-- progress rows of the month and plan rows of the year that are not in the figure
held_by_region as (
    select completion.region_code, completion.year, completion.month, count(held_back.source_row) as held_rows
    from completion
    inner join held_back
        on completion.region_code = held_back.region_code
        and completion.year = held_back.year
        and (
            (held_back.entity = 'monthly_progress' and held_back.month = completion.month)
            or held_back.entity = 'annual_plans'
        )
    group by completion.region_code, completion.year, completion.month
),

measured as (
    select
        completion.*,
        coalesce(held_by_region.held_rows, 0) as coverage_held_back_rows
    from completion
    inner join data_months
        on completion.region_code = data_months.region_code
        and completion.year = data_months.year
    left join held_by_region
        on completion.region_code = held_by_region.region_code
        and completion.year = held_by_region.year
        and completion.month = held_by_region.month
    -- a month in which no planned project of the region reported is not a published figure (as before)
    where completion.month <= data_months.data_month and completion.projects_reporting > 0
),

final as (
    select
        region_code,
        year,
        month,
        projects_reporting,
        projects_planned,
        projects_carried_forward,
        projects_not_reported_yet,
        ytd_completed_wan,
        annual_plan_latest_wan as annual_plan_wan,
        completion_ratio,
        annual_plan_initial_wan,
        completion_ratio_initial,
        time_pace,
        pace_gap,
        pace_gap_wan,
        projects_planned as coverage_expected,
        projects_reporting as coverage_reported,
        cast(coverage_held_back_rows as integer) as coverage_held_back_rows,
        {{ coverage_note_zh('projects_planned - projects_reporting', 'coverage_held_back_rows', "'个项目本月未报送（按最近一次报送的累计数计入，本年未报送过的计0）'") }}
            as coverage_note_zh
    from measured
)

select * from final
