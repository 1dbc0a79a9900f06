-- 投资完成排名: 计划投资完成率 against the time pace (序时进度) per region, per lead unit and per town, -- 投资完成排名: 计划投资完成率 against the time pace (序时进度) per region, per lead unit and per town, with
-- the rank of each group (regions among all regions of the warehouse; lead units and towns within their
-- region). The ratio and the gaps are those of the one computation, int_plan_completion (cohort all_planned:
-- every project with an annual plan for the year, carried-forward YTD); months stop at the region's data
-- month (mart_project_progress). Definitions: docs/metrics/progress.md#investment-ranking
with

completion as (
    select * from {{ ref('int_plan_completion') }}
    where cohort = 'all_planned'
),

progress as (
    select * from {{ ref('mart_project_progress') }}
    where annual_plan_latest_wan is not null
),

projects as (
    select project_id, town from {{ ref('int_projects_enriched') }}
),

data_months as (
    select region_code, year, max(month) as data_month from progress group by region_code, year
),

labels as (
    select month, label_zh as period_label from {{ ref('dim_report_month') }}
),

-- 蜗牛 projects per group (the list is a project-progress figure)
snails as (
    select progress.region_code, progress.year, progress.month, 'region' as dimension,
        coalesce(progress.region_name, progress.region_code) as group_name, progress.project_id
    from progress where progress.is_snail
    union all
    select progress.region_code, progress.year, progress.month, 'lead_unit' as dimension,
        coalesce(nullif(trim(progress.lead_unit), ''), '（未填报）') as group_name, progress.project_id
    from progress where progress.is_snail
    union all
    select progress.region_code, progress.year, progress.month, 'town' as dimension,
        coalesce(nullif(trim(projects.town), ''), '（未填报）') as group_name, progress.project_id
    from progress
    left join projects on progress.project_id = projects.project_id
    where progress.is_snail
),

snail_counts as (
    select region_code, year, month, dimension, group_name, count(*) as snail_projects
    from snails
    group by region_code, year, month, dimension, group_name
),

summed as (
    select
        completion.*,
        labels.period_label,
        coalesce(snail_counts.snail_projects, 0) as snail_projects
    from completion
    inner join data_months
        on completion.region_code = data_months.region_code
        and completion.year = data_months.year
        and completion.month <= data_months.data_month
    left join labels on completion.month = labels.month
    left join snail_counts
        on completion.region_code = snail_counts.region_code
        and completion.year = snail_counts.year
        and completion.month = snail_counts.month
        and completion.dimension = snail_counts.dimension
        and completion.group_name = snail_counts.group_name
),

measured as (
    select
        summed.*,
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
        ytd_completed_wan,
        annual_plan_latest_wan,
        completion_ratio,
        time_pace,
        pace_gap,
        pace_gap_wan,
        cast(rank_completion as integer) as rank_completion,
        cast(groups_ranked as integer) as groups_ranked,
        projects_carried_forward,
        projects_not_reported_yet,
        projects_planned as coverage_expected,
        projects_reporting as coverage_reported
    from ranked
)

select * from final
