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
        sum(case when status = '达标' then 1 else 0 end) as targets_met,
        sum(case when status = '正常' then 1 else 0 end) as targets_on_track,
        sum(case when status = '滞后' then 1 else 0 end) as targets_behind,
        sum(case when status = '严重滞后' then 1 else 0 end) as targets_severely_behind,
        sum(case when status = '无数据' then 1 else 0 end) as targets_without_data,
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
        cast(targets_met as integer) as targets_met,
        cast(targets_on_track as integer) as targets_on_track,
        cast(targets_behind as integer) as targets_behind,
        cast(targets_severely_behind as integer) as targets_severely_behind,
        cast(targets_without_data as integer) as targets_without_data,
        cast(targets_forecast_missed as integer) as targets_forecast_missed,
        cast(
            case
                when targets_total - targets_without_data > 0
                    then 1.0 * (targets_met + targets_on_track) / (targets_total - targets_without_data)
            end as decimal(12, 6)
        ) as on_track_share
    from counted
)

select * from final
