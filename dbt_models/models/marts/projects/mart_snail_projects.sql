-- 蜗牛项目名单: the monthly list (every report month) and the quarterly list (the projects flagged at the
-- quarter-end month) of key projects that hit at least one 蜗牛 criterion, with a Chinese reason per
-- criterion, the score (criteria hit) and the rank within the region (score, then gap to the time pace).
-- Criteria and thresholds: docs/metrics/projects.md#snail-criteria
with

progress as (
    select * from {{ ref('mart_project_progress') }}
),

-- consecutive report months up to this one in which the project was on the list
streaks as (
    select
        progress.*,
        progress.month - coalesce(
            max(case when not progress.is_snail then progress.month end) over (
                partition by progress.project_id, progress.year
                order by progress.month
                rows between unbounded preceding and current row
            ),
            1
        ) as consecutive_months_flagged,
        sum(case when progress.is_snail then 1 else 0 end) over (
            partition by progress.project_id, progress.year, progress.quarter
            order by progress.month
            rows between unbounded preceding and current row
        ) as months_flagged_in_quarter
    from progress
),

flagged as (
    select * from streaks where is_snail
),

reasons as (
    select
        flagged.*,
        substr(
            case
                when flagged.hit_late_start
                    then '；未按期开工：计划' || cast(flagged.planned_start_month as {{ dbt.type_string() }})
                        || '月开工，截至' || cast(flagged.month as {{ dbt.type_string() }}) || '月末仍未开工'
                else ''
            end
            || case
                when flagged.hit_behind_pace
                    then '；投资进度滞后：完成年度计划的' || {{ projects_pct_text('flagged.completion_ratio') }}
                        || '，序时进度' || {{ projects_pct_text('flagged.time_pace') }}
                        || '，落后' || cast(
                            cast(round((flagged.time_pace - flagged.completion_ratio) * 100, 1) as decimal(12, 1))
                            as {{ dbt.type_string() }}
                        ) || '个百分点'
                        || case
                            when flagged.month >= {{ projects_var('snail_late_year_month') }}
                                and flagged.completion_ratio < {{ projects_var('snail_late_year_min_ratio') }}
                                then '，' || cast({{ projects_var('snail_late_year_month') }} as {{ dbt.type_string() }})
                                    || '月起仍低于' || {{ projects_pct_text(projects_var('snail_late_year_min_ratio')) }}
                            else ''
                        end
                else ''
            end
            || case
                when flagged.hit_suspended
                    then '；停缓建：' || cast(flagged.last_reported_month as {{ dbt.type_string() }})
                        || '月调度报送的建设状态为全部停缓建'
                else ''
            end
            || case
                when flagged.hit_no_report
                    then '；未按月报送：已连续' || cast(flagged.months_since_report as {{ dbt.type_string() }})
                        || '个月未报送调度数据'
                        || case
                            when flagged.last_reported_month is null then '（本年未报送）'
                            else '（最近报送' || cast(flagged.last_reported_month as {{ dbt.type_string() }}) || '月）'
                        end
                else ''
            end,
            2
        ) as snail_reasons_zh,
        rank() over (
            partition by flagged.region_code, flagged.year, flagged.month
            order by
                flagged.snail_score desc,
                case when flagged.pace_gap is null then 1 else 0 end,
                flagged.pace_gap asc
        ) as snail_rank_in_region
    from flagged
),

monthly as (
    select
        'month' as list_type,
        cast(reasons.year as {{ dbt.type_string() }}) || '年' || reasons.period_label as list_period_zh,
        reasons.*
    from reasons
),

quarterly as (
    select
        'quarter' as list_type,
        cast(reasons.year as {{ dbt.type_string() }}) || '年第' || cast(reasons.quarter as {{ dbt.type_string() }}) || '季度' as list_period_zh,
        reasons.*
    from reasons
    where reasons.is_quarter_end
),

unioned as (
    select * from monthly
    union all
    select * from quarterly
),

final as (
    select
        list_type,
        list_period_zh,
        region_code,
        region_name,
        year,
        quarter,
        month,
        as_of_date,
        snail_rank_in_region,
        project_id,
        project_name,
        lead_unit,
        key_level,
        plan_category,
        planned_start_month,
        actual_start_date,
        stage_at_month,
        build_status_label,
        last_reported_month,
        annual_plan_initial_wan,
        annual_plan_latest_wan,
        ytd_completed_wan,
        completion_ratio,
        completion_ratio_initial,
        time_pace,
        pace_gap,
        pace_gap_wan,
        snail_score,
        snail_criteria,
        snail_reasons_zh,
        consecutive_months_flagged,
        months_flagged_in_quarter
    from unioned
)

select * from final
