-- 目标状态汇总: per region and report month, how many targets of the plan are met, on track, behind, severely
-- behind or without data, and how many will miss their due date at the current pace (the bulletin's
-- headline counts). Definitions: docs/metrics/targets.md#target-status-summary
with

progress as (
    select * from {{ ref('mart_target_progress') }}
),

counted as (
    select
        region_code,
        plan_year,
        month,
        count(*) as targets_total,
        {{ target_status_counts('status', as_integer=true) }},
        -- measured, not met yet and the straight-line forecast misses the target at its due date
        sum(case when status <> '达标' and status <> '无数据' and not forecast_meets_target then 1 else 0 end)
            as targets_forecast_missed
    from progress
    group by region_code, plan_year, month
),

final as (
    select
        region_code,
        plan_year,
        month,
        cast(targets_total as integer) as targets_total,
        targets_met, targets_on_track, targets_behind, targets_severely_behind, targets_without_data,
        cast(targets_forecast_missed as integer) as targets_forecast_missed,
        {{ safe_ratio('targets_met + targets_on_track', 'targets_total - targets_without_data') }} as on_track_share
    from counted
)

select * from final
