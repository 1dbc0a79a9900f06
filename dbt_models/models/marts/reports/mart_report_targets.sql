-- 报告用目标状态: every target × report month of mart_target_progress with the status a report prints.
-- Before its due date a target is 达标 / 正常 / 滞后 / 严重滞后 / 无数据 (the mart's pace status); at or after
-- its due date (the month's last day ≥ due_date) the pace no longer matters and the target is 完成 or
-- 未完成 (无数据 when nothing measures it). 年底预计难以完成 = not yet due, measured, not met, the forecast at the
-- due date misses the target and the pace is outside the 正常 band (滞后 / 严重滞后): a target in the 正常 band
-- is on track by definition, so it is never listed as at risk. Definitions: docs/reports.md#status-at-due-date
with

progress as (
    select * from {{ ref('mart_target_progress') }}
),

assessed as (
    select
        progress.*,
        progress.as_of_date >= progress.due_date as is_due
    from progress
),

final as (
    select
        assessed.*,
        case
            when not is_due then status
            when status = '无数据' then '无数据'
            when status = '达标' then '完成'
            else '未完成'
        end as report_status,
        coalesce(
            not is_due
            and status in ('滞后', '严重滞后')
            and forecast_meets_target = false,
            false
        ) as is_forecast_miss
    from assessed
)

select * from final
