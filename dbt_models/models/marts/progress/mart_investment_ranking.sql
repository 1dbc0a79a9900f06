-- 投资完成排名: 计划投资完成率 against the time pace (序时进度) per region, per lead unit and per town, with
-- the rank of each group (regions among all regions of the warehouse; lead units and towns within their
-- region). Cohort: every project with an annual plan for the year, as in mart_project_progress.
-- Definitions: docs/metrics.md#investment-ranking
with

progress as (
    select * from {{ ref('mart_project_progress') }}
    where annual_plan_latest_wan is not null
),

projects as (
    select project_id, town from {{ ref('int_projects_enriched') }}
),

-- one row per project and grouping: the region itself, its lead unit, its town
grouped as (
    select
        progress.region_code,
        progress.region_name,
        progress.year,
        progress.month,
        progress.period_label,
        progress.time_pace,
        'region' as dimension,
        coalesce(progress.region_name, progress.region_code) as group_name,
        progress.project_id,
        progress.reported_this_month,
        progress.is_snail,
        progress.ytd_completed_wan,
        progress.annual_plan_latest_wan
    from progress
    union all
    select
        progress.region_code,
        progress.region_name,
        progress.year,
        progress.month,
        progress.period_label,
        progress.time_pace,
        'lead_unit' as dimension,
        coalesce(nullif(trim(progress.lead_unit), ''), '（未填报）') as group_name,
        progress.project_id,
        progress.reported_this_month,
        progress.is_snail,
        progress.ytd_completed_wan,
        progress.annual_plan_latest_wan
    from progress
    union all
    select
        progress.region_code,
        progress.region_name,
        progress.year,
        progress.month,
        progress.period_label,
        progress.time_pace,
        'town' as dimension,
        coalesce(nullif(trim(projects.town), ''), '（未填报）') as group_name,
        progress.project_id,
        progress.reported_this_month,
        progress.is_snail,
        progress.ytd_completed_wan,
        progress.annual_plan_latest_wan
    from progress
    left join projects on progress.project_id = projects.project_id
),

summed as (
    select
        region_code,
        region_name,
        year,
        month,
        period_label,
        dimension,
        group_name,
        max(time_pace) as time_pace,
        count(*) as projects_planned,
        sum(case when reported_this_month then 1 else 0 end) as projects_reporting,
        sum(case when is_snail then 1 else 0 end) as snail_projects,
        sum(ytd_completed_wan) as ytd_completed_wan,
        sum(annual_plan_latest_wan) as annual_plan_latest_wan
    from grouped
    group by region_code, region_name, year, month, period_label, dimension, group_name
),

measured as (
    select
        summed.*,
        -- a ratio of sums, not a mean of project ratios
        case
            when summed.annual_plan_latest_wan > 0
                then cast(summed.ytd_completed_wan / summed.annual_plan_latest_wan as decimal(12, 6))
        end as completion_ratio,
        cast(summed.ytd_completed_wan - summed.annual_plan_latest_wan * summed.time_pace as decimal(18, 4))
            as pace_gap_wan,
        -- regions are ranked against each other; lead units and towns within their region
        case when summed.dimension = 'region' then 'all' else summed.region_code end as rank_scope
    from summed
),

ranked as (
    select
        measured.*,
        case
            when measured.completion_ratio is not null then rank() over (
                partition by measured.rank_scope, measured.year, measured.month, measured.dimension,
                    measured.completion_ratio is null
                order by measured.completion_ratio desc
            )
        end as rank_completion,
        count(measured.completion_ratio) over (
            partition by measured.rank_scope, measured.year, measured.month, measured.dimension
        ) as groups_ranked
    from measured
),

final as (
    select
        region_code,
        region_name,
        year,
        month,
        period_label,
        dimension,
        case dimension when 'region' then '区县' when 'lead_unit' then '牵头单位' else '镇街' end as dimension_zh,
        group_name,
        cast(projects_planned as integer) as projects_planned,
        cast(projects_reporting as integer) as projects_reporting,
        cast(snail_projects as integer) as snail_projects,
        cast(ytd_completed_wan as decimal(18, 4)) as ytd_completed_wan,
        cast(annual_plan_latest_wan as decimal(18, 4)) as annual_plan_latest_wan,
        completion_ratio,
        cast(time_pace as decimal(12, 6)) as time_pace,
        cast(completion_ratio - time_pace as decimal(12, 6)) as pace_gap,
        pace_gap_wan,
        cast(rank_completion as integer) as rank_completion,
        cast(groups_ranked as integer) as groups_ranked
    from ranked
)

select * from final
