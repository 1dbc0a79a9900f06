-- 项目月度投资进度: one row per project x year x report month (dispatch figures, the statistics
-- bureau's figures side by side): annual plan (年初 and latest), YTD and single-month completion,
-- completion ratio against the latest plan, 序时进度 gap, since-start progress, ranks within the
-- region, build status, reporting, and the 蜗牛 criteria hit.
-- Months run up to the region's latest report month. Definitions: docs/metrics/projects.md
-- Incremental by (region_code, year): a build rebuilds the region-years whose inputs changed
-- (macros/incremental_partitions.sql).
{%- set inputs = ref('int_inputs__project_progress') %}
{{ config(**partitioned_config('int_inputs__project_progress', ['region_code', 'year'])) }}
with

months as (
    select * from {{ ref('int_report_months') }} as months
    {%- if is_incremental() %}
    where {{ in_changed_partitions(inputs, ['region_code', 'year'], ['months.region_code', 'months.year']) }}
    {%- endif %}
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

-- both bases side by side, one row per project x year x report month (every month 2..12 of a project-year
-- with a plan or a report): the spine and the figures in one relation, joined once. Joining the progress once
-- per basis on (project, year, month) made PostgreSQL expect one row and run nested loops (5 s at county
-- scale, 0.2 s this way).
progress_months as (
    select
        project_id,
        year,
        month,
        -- each cast restates the column's type (PostgreSQL's max drops the scale)
        cast(max(case when basis = 'DISPATCH' then ytd_completed end) as decimal(18, 4)) as ytd_completed,
        cast(max(case when basis = 'DISPATCH' then month_completed end) as decimal(19, 4)) as month_completed,
        cast(max(case when basis = 'DISPATCH' then since_start_completed end) as decimal(18, 4))
            as since_start_completed,
        max(case when basis = 'DISPATCH' then build_status end) as build_status,
        max(case when basis = 'DISPATCH' then last_reported_month end) as last_reported_month,
        coalesce(bool_or(case when basis = 'DISPATCH' then has_report_this_month end), false)
            as reported_this_month,
        cast(max(case when basis = 'STATS' then ytd_completed end) as decimal(18, 4)) as stats_ytd_completed,
        max(case when basis = 'STATS' then last_reported_month end) as stats_last_reported_month,
        coalesce(bool_or(case when basis = 'STATS' then has_report_this_month end), false)
            as stats_reported_this_month
    from progress
    group by project_id, year, month
),

-- the latest month any project of the region reported (either basis): later months are not yet reported
region_data_months as (
    select projects.region_code, progress_months.year, max(progress_months.month) as data_month
    from progress_months
    inner join projects on progress_months.project_id = projects.project_id
    where progress_months.reported_this_month or progress_months.stats_reported_this_month
    group by projects.region_code, progress_months.year
),

region_months as (
    select months.*
    from months
    inner join region_data_months
        on months.region_code = region_data_months.region_code
        and months.year = region_data_months.year
    where months.month <= region_data_months.data_month
),

spine as (
    select
        progress_months.*,
        projects.region_code,
        region_months.period_label,
        region_months.quarter,
        region_months.is_quarter_end,
        region_months.time_pace,
        region_months.as_of_date
    from progress_months
    inner join projects on progress_months.project_id = projects.project_id
    inner join region_months
        on projects.region_code = region_months.region_code
        and progress_months.year = region_months.year
        and progress_months.month = region_months.month
),

joined as (
    select
        spine.*,
        projects.region_name,
        projects.project_name,
        projects.lead_unit,
        projects.contact_person,
        projects.contact_phone,
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
),

measured as (
    select
        joined.*,
        {{ safe_ratio('joined.ytd_completed', 'joined.annual_plan_latest', when='joined.annual_plan_latest > 0') }}
            as completion_ratio,
        {{ safe_ratio('joined.ytd_completed', 'joined.annual_plan_initial', when='joined.annual_plan_initial > 0') }}
            as completion_ratio_initial,
        -- exact: plan x month / 12, not the rounded 序时进度 (up to 0.5 万元 off on a large plan)
        {{ quotient('joined.ytd_completed * 12 - joined.annual_plan_latest * joined.month', '12.0', 18, 4) }}
            as pace_gap_wan,
        {{ safe_ratio(
            'joined.ytd_completed * 12 - joined.annual_plan_latest * joined.month', 'joined.annual_plan_latest * 12',
            when='joined.annual_plan_latest > 0'
        ) }} as pace_gap,
        {{ safe_ratio(
            'joined.since_start_completed', 'joined.total_investment', when='joined.total_investment > 0'
        ) }} as since_start_ratio,
        {{ safe_ratio(
            'joined.stats_ytd_completed', 'joined.annual_plan_latest',
            when='joined.annual_plan_latest > 0 and joined.is_in_stats_book'
        ) }} as stats_completion_ratio,
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
        ranked.contact_person,
        ranked.contact_phone,
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
        cast(case when ranked.is_in_stats_book then ranked.stats_ytd_completed end as decimal(18, 4))
            as stats_ytd_completed_wan,
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
