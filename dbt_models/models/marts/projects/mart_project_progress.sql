-- 项目月度投资进度: one row per project x year x report month (dispatch figures, the statistics
-- bureau's figures side by side): annual plan (年初 and latest), YTD and single-month completion,
-- completion ratio against the latest plan, 序时进度 gap, since-start progress, ranks within the
-- region, build status, reporting, and the 蜗牛 criteria hit.
-- Months run up to the region's latest report month. Definitions: docs/metrics/projects.md
with

months as (
    select * from {{ ref('int_report_months') }}
),

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

plans as (
    select * from {{ ref('int_annual_plans_versioned') }}
),

progress as (
    select * from {{ ref('int_progress_monthly_filled') }}
),

stages as (
    select project_id, year, month, stage_at_month from {{ ref('int_project_stage_monthly') }}
),

build_status_labels as (
    select code, label_zh from {{ ref('code_lists') }} where list_name = 'build_status'
),

-- every project with an annual plan or a progress report (either basis) in the year
project_years as (
    select distinct progress.project_id, progress.year, projects.region_code
    from progress
    inner join projects on progress.project_id = projects.project_id
),

-- the latest month any project of the region reported (either basis): later months are not yet reported
region_data_months as (
    select project_years.region_code, project_years.year, max(progress.month) as data_month
    from progress
    inner join project_years
        on progress.project_id = project_years.project_id
        and progress.year = project_years.year
    where progress.has_report_this_month
    group by project_years.region_code, project_years.year
),

spine as (
    select
        project_years.project_id,
        project_years.region_code,
        months.year,
        months.month,
        months.period_label,
        months.quarter,
        months.is_quarter_end,
        months.time_pace,
        months.as_of_date
    from project_years
    inner join months
        on project_years.region_code = months.region_code
        and project_years.year = months.year
    inner join region_data_months
        on project_years.region_code = region_data_months.region_code
        and project_years.year = region_data_months.year
    where months.month <= region_data_months.data_month
),

joined as (
    select
        spine.*,
        projects.region_name,
        projects.project_name,
        projects.lead_unit,
        projects.key_level,
        projects.is_key_project,
        projects.is_city_key_project,
        projects.total_investment,
        projects.actual_start_date,
        projects.in_stats_library,
        -- 入库 standard (统计标准): the statistics bureau counts a project only when it is in the library, its
        -- planned total investment is at least 500 万元, and from the month it entered the library
        coalesce(
            projects.in_stats_library
            and projects.total_investment >= {{ projects_var('stats_min_total_wan') }}
            and (projects.stats_entry_date is null or projects.stats_entry_date <= spine.as_of_date),
            false
        ) as is_in_stats_book,
        plans.plan_category,
        plans.latest_plan_version,
        coalesce(
            plans.planned_start_month,
            case
                when extract(year from projects.planned_start_date) = spine.year
                    then cast(extract(month from projects.planned_start_date) as integer)
            end
        ) as planned_start_month,
        plans.annual_plan_initial,
        plans.annual_plan_latest,
        stages.stage_at_month,
        dispatch.ytd_completed,
        dispatch.month_completed,
        dispatch.since_start_completed,
        dispatch.build_status,
        dispatch.last_reported_month,
        coalesce(dispatch.has_report_this_month, false) as reported_this_month,
        stats.ytd_completed as stats_ytd_completed,
        stats.last_reported_month as stats_last_reported_month,
        coalesce(stats.has_report_this_month, false) as stats_reported_this_month,
        -- first month a report is due: month 2 (1—2月), or the start month of a project started this year
        case
            when projects.actual_start_date >= {{ month_start('spine.year', '1') }}
                then greatest(2, cast(extract(month from projects.actual_start_date) as integer))
            else 2
        end as first_report_month
    from spine
    inner join projects on spine.project_id = projects.project_id
    left join plans
        on spine.project_id = plans.project_id
        and spine.year = plans.plan_year
    left join stages
        on spine.project_id = stages.project_id
        and spine.year = stages.year
        and spine.month = stages.month
    left join progress as dispatch
        on spine.project_id = dispatch.project_id
        and spine.year = dispatch.year
        and spine.month = dispatch.month
        and dispatch.basis = 'DISPATCH'
    left join progress as stats
        on spine.project_id = stats.project_id
        and spine.year = stats.year
        and spine.month = stats.month
        and stats.basis = 'STATS'
),

measured as (
    select
        joined.*,
        case
            when joined.annual_plan_latest > 0
                then cast(joined.ytd_completed / joined.annual_plan_latest as decimal(12, 6))
        end as completion_ratio,
        case
            when joined.annual_plan_initial > 0
                then cast(joined.ytd_completed / joined.annual_plan_initial as decimal(12, 6))
        end as completion_ratio_initial,
        -- exact: plan x month / 12, not the rounded 序时进度 (up to 0.5 万元 off on a large plan)
        cast((joined.ytd_completed * 12 - joined.annual_plan_latest * joined.month) / 12.0 as decimal(18, 4))
            as pace_gap_wan,
        case
            when joined.annual_plan_latest > 0
                then cast(
                    (joined.ytd_completed * 12 - joined.annual_plan_latest * joined.month)
                    / (joined.annual_plan_latest * 12) as decimal(12, 6)
                )
        end as pace_gap,
        case
            when joined.total_investment > 0
                then cast(joined.since_start_completed / joined.total_investment as decimal(12, 6))
        end as since_start_ratio,
        case
            when joined.annual_plan_latest > 0 and joined.is_in_stats_book
                then cast(joined.stats_ytd_completed / joined.annual_plan_latest as decimal(12, 6))
        end as stats_completion_ratio,
        joined.month - coalesce(joined.last_reported_month, joined.first_report_month - 1) as months_since_report,
        coalesce(joined.actual_start_date <= joined.as_of_date, false) as is_started
    from joined
),

criteria as (
    select
        measured.*,
        measured.annual_plan_latest is not null
        and (measured.is_key_project or not {{ projects_var('snail_key_projects_only') }}) as in_snail_cohort,
        -- (a) 未按期开工: a 新开工 project still not started after its planned start month + grace
        coalesce(
            measured.plan_category = '新开工'
            and measured.month > measured.planned_start_month + {{ projects_var('snail_start_grace_months') }}
            and not measured.is_started,
            false
        ) as hit_late_start,
        -- (b) 投资进度滞后: behind the time pace by more than the tolerance, or under the late-year floor;
        --     only for projects under way (not a 新开工 still to start, not completed, not 调出)
        coalesce(
            measured.stage_at_month not in ('竣工投产', '调出')
            and (coalesce(measured.plan_category, '') <> '新开工' or measured.is_started)
            and (
                measured.completion_ratio < measured.month / 12.0 - {{ projects_var('snail_pace_tolerance') }}
                or (
                    measured.month >= {{ projects_var('snail_late_year_month') }}
                    and measured.completion_ratio < {{ projects_var('snail_late_year_min_ratio') }}
                )
            ),
            false
        ) as hit_behind_pace,
        -- (c) 停缓建: the latest dispatch report says 全部停缓建
        coalesce(measured.build_status = '3', false) as hit_suspended,
        -- (d) 未按月报送: under construction and no dispatch report for the last N report months
        coalesce(
            measured.stage_at_month = '开工在建'
            and measured.months_since_report >= {{ projects_var('snail_missing_report_months') }},
            false
        ) as hit_no_report
    from measured
),

scored as (
    select
        criteria.*,
        case when criteria.hit_late_start then 1 else 0 end
        + case when criteria.hit_behind_pace then 1 else 0 end
        + case when criteria.hit_suspended then 1 else 0 end
        + case when criteria.hit_no_report then 1 else 0 end as snail_score,
        nullif(
            substr(
                case when criteria.hit_late_start then '|late_start' else '' end
                || case when criteria.hit_behind_pace then '|behind_pace' else '' end
                || case when criteria.hit_suspended then '|suspended' else '' end
                || case when criteria.hit_no_report then '|no_report' else '' end,
                2
            ),
            ''
        ) as snail_criteria
    from criteria
),

ranked as (
    select
        scored.*,
        -- ties share a rank (1, 1, 3); projects without a plan are not ranked
        case
            when scored.completion_ratio is not null then rank() over (
                partition by scored.region_code, scored.year, scored.month, scored.completion_ratio is null
                order by scored.completion_ratio desc
            )
        end as rank_completion_in_region,
        case
            when scored.pace_gap_wan is not null then rank() over (
                partition by scored.region_code, scored.year, scored.month, scored.pace_gap_wan is null
                order by scored.pace_gap_wan asc
            )
        end as rank_shortfall_in_region
    from scored
),

final as (
    select
        ranked.region_code,
        ranked.region_name,
        ranked.year,
        ranked.month,
        ranked.period_label,
        ranked.quarter,
        ranked.is_quarter_end,
        ranked.as_of_date,
        ranked.project_id,
        ranked.project_name,
        ranked.lead_unit,
        ranked.key_level,
        ranked.is_key_project,
        ranked.is_city_key_project,
        ranked.plan_category,
        ranked.latest_plan_version,
        ranked.planned_start_month,
        ranked.annual_plan_initial as annual_plan_initial_wan,
        ranked.annual_plan_latest as annual_plan_latest_wan,
        ranked.total_investment as total_investment_wan,
        ranked.actual_start_date,
        ranked.stage_at_month,
        ranked.build_status,
        build_status_labels.label_zh as build_status_label,
        ranked.reported_this_month,
        ranked.last_reported_month,
        ranked.months_since_report,
        ranked.ytd_completed as ytd_completed_wan,
        ranked.month_completed as month_completed_wan,
        ranked.completion_ratio,
        ranked.completion_ratio_initial,
        ranked.time_pace,
        ranked.pace_gap,
        ranked.pace_gap_wan,
        ranked.since_start_completed as since_start_completed_wan,
        ranked.since_start_ratio,
        case when ranked.since_start_ratio is not null then ranked.since_start_ratio > 1 end
            as is_since_start_over_total,
        ranked.rank_completion_in_region,
        ranked.rank_shortfall_in_region,
        ranked.in_stats_library,
        ranked.is_in_stats_book,
        case when ranked.is_in_stats_book then ranked.stats_ytd_completed end as stats_ytd_completed_wan,
        ranked.stats_completion_ratio,
        ranked.stats_last_reported_month,
        ranked.stats_reported_this_month,
        ranked.in_snail_cohort,
        ranked.hit_late_start,
        ranked.hit_behind_pace,
        ranked.hit_suspended,
        ranked.hit_no_report,
        ranked.snail_score,
        ranked.snail_criteria,
        ranked.in_snail_cohort and ranked.snail_score > 0 as is_snail
    from ranked
    left join build_status_labels on ranked.build_status = build_status_labels.code
)

select * from final
