-- 计划投资完成率, the one computation: Σ carried-forward YTD over Σ annual plan (a ratio of sums) per
-- cohort (all_planned, all_key, city_key) x grouping (the region, each lead unit, each town) x report
-- month, against the latest plan (调整后, `completion_ratio`) and against the 年初 plan of the projects that
-- had one (`completion_ratio_initial`), with the exact time-pace gap and the reporting coverage.
-- mart_region_monthly_investment, mart_investment_ranking, mart_five_rates and int_metrics__projects read
-- it; none of them recomputes the ratio. Definition: docs/metrics/progress.md#plan-completion
with

members as (
    select * from {{ ref('int_plan_completion_members') }}
),

cohorts as (
    select members.*, 'all_planned' as cohort from members
    union all
    select members.*, 'all_key' as cohort from members where is_key_project
    union all
    select members.*, 'city_key' as cohort from members where is_city_key_project
),

grouped as (
    select cohorts.*, 'region' as dimension, cohorts.region_name as group_name from cohorts
    union all
    select cohorts.*, 'lead_unit' as dimension, cohorts.lead_unit as group_name from cohorts
    union all
    select cohorts.*, 'town' as dimension, cohorts.town as group_name from cohorts
),

summed as (
    select
        region_code,
        region_name,
        year,
        month,
        cohort,
        dimension,
        group_name,
        count(*) as projects_planned,
        sum(case when reported_this_month then 1 else 0 end) as projects_reporting,
        sum(case when is_carried_forward then 1 else 0 end) as projects_carried_forward,
        sum(case when is_not_reported_yet then 1 else 0 end) as projects_not_reported_yet,
        sum(ytd_completed) as ytd_completed_wan,
        sum(coalesce(annual_plan_latest, 0)) as annual_plan_latest_wan,
        sum(case when has_initial_plan then 1 else 0 end) as projects_with_initial_plan,
        sum(case when has_initial_plan and reported_this_month then 1 else 0 end) as projects_reporting_initial,
        sum(case when has_initial_plan then ytd_completed else 0 end) as ytd_completed_initial_wan,
        sum(coalesce(annual_plan_initial, 0)) as annual_plan_initial_wan
    from grouped
    group by region_code, region_name, year, month, cohort, dimension, group_name
),

final as (
    select
        region_code,
        region_name,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cohort,
        dimension,
        group_name,
        cast(projects_planned as integer) as projects_planned,
        cast(projects_reporting as integer) as projects_reporting,
        cast(projects_carried_forward as integer) as projects_carried_forward,
        cast(projects_not_reported_yet as integer) as projects_not_reported_yet,
        cast(ytd_completed_wan as decimal(18, 4)) as ytd_completed_wan,
        cast(annual_plan_latest_wan as decimal(18, 4)) as annual_plan_latest_wan,
        {{ safe_ratio('ytd_completed_wan', 'annual_plan_latest_wan', when='annual_plan_latest_wan > 0') }}
            as completion_ratio,
        cast(projects_with_initial_plan as integer) as projects_with_initial_plan,
        cast(projects_reporting_initial as integer) as projects_reporting_initial,
        cast(ytd_completed_initial_wan as decimal(18, 4)) as ytd_completed_initial_wan,
        cast(annual_plan_initial_wan as decimal(18, 4)) as annual_plan_initial_wan,
        {{ safe_ratio('ytd_completed_initial_wan', 'annual_plan_initial_wan', when='annual_plan_initial_wan > 0') }}
            as completion_ratio_initial,
        -- 序时进度 month / 12, rounded for display only; both gaps use the exact fraction
        cast(month / 12.0 as decimal(12, 6)) as time_pace,
        {{ safe_ratio(
            'ytd_completed_wan * 12 - annual_plan_latest_wan * month', 'annual_plan_latest_wan * 12',
            when='annual_plan_latest_wan > 0'
        ) }} as pace_gap,
        {{ quotient('ytd_completed_wan * 12 - annual_plan_latest_wan * month', '12.0', 18, 4) }} as pace_gap_wan
    from summed
)

select * from final
