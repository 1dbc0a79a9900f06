-- 计划投资完成率 by region and month (dispatch figures): Σ YTD completed of the projects that
-- reported in the month over Σ latest annual plan of all projects planned for the year.
-- Definition: docs/metrics.md#region-monthly-investment
with

progress as (
    select * from {{ ref('stg_raw__monthly_progress') }}
    where basis = 'DISPATCH'
),

projects as (
    select project_id, region_code from {{ ref('stg_raw__projects') }}
),

plans as (
    select * from {{ ref('int_annual_plans_versioned') }}
),

planned_by_region as (
    select
        projects.region_code,
        plans.plan_year,
        count(*) as projects_planned,
        sum(plans.annual_plan_latest) as annual_plan_wan
    from plans
    inner join projects on plans.project_id = projects.project_id
    group by projects.region_code, plans.plan_year
),

reported_by_region as (
    select
        projects.region_code,
        progress.year,
        progress.month,
        count(*) as projects_reporting,
        sum(progress.ytd_completed) as ytd_completed_wan
    from progress
    inner join projects on progress.project_id = projects.project_id
    group by projects.region_code, progress.year, progress.month
),

final as (
    select
        reported.region_code,
        reported.year,
        reported.month,
        reported.projects_reporting,
        coalesce(planned.projects_planned, 0) as projects_planned,
        reported.ytd_completed_wan,
        planned.annual_plan_wan,
        case
            when planned.annual_plan_wan > 0
                then cast(reported.ytd_completed_wan / planned.annual_plan_wan as decimal(12, 6))
        end as completion_ratio,
        cast(reported.month / 12.0 as decimal(12, 6)) as time_pace
    from reported_by_region as reported
    left join planned_by_region as planned
        on reported.region_code = planned.region_code
        and reported.year = planned.plan_year
)

select
    final.*,
    final.completion_ratio - final.time_pace as pace_gap
from final
