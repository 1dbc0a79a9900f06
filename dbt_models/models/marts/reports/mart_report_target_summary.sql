-- 报告用目标状态汇总: per region × plan year × report month, the count of targets in each report status of
-- mart_report_targets (完成 / 未完成 once due), and the targets at risk (年底预计难以完成).
with

targets as (
    select * from {{ ref('mart_report_targets') }}
),

final as (
    select
        region_code,
        plan_year,
        month,
        cast(count(*) as integer) as targets_total,
        cast(sum(case when is_due then 1 else 0 end) as integer) as targets_due,
        -- achieved whether due or not: 完成 (due and met) + 达标 (met before its due date)
        cast(sum(case when report_status in ('完成', '达标') then 1 else 0 end) as integer) as targets_achieved,
        cast(sum(case when report_status = '完成' then 1 else 0 end) as integer) as targets_completed,
        cast(sum(case when report_status = '未完成' then 1 else 0 end) as integer) as targets_not_completed,
        cast(sum(case when report_status = '达标' then 1 else 0 end) as integer) as targets_met,
        cast(sum(case when report_status = '正常' then 1 else 0 end) as integer) as targets_on_track,
        cast(sum(case when report_status = '滞后' then 1 else 0 end) as integer) as targets_behind,
        cast(sum(case when report_status = '严重滞后' then 1 else 0 end) as integer) as targets_severely_behind,
        cast(sum(case when report_status = '无数据' then 1 else 0 end) as integer) as targets_without_data,
        cast(sum(case when is_forecast_miss then 1 else 0 end) as integer) as targets_forecast_missed,
        {{ ordered_text_agg(
            "case when report_status = '未完成' then indicator_zh end", "'、'", "target_id"
        ) }} as not_completed_zh,
        {{ ordered_text_agg(
            "case when is_forecast_miss then indicator_zh end", "'、'", "pace_ratio, target_id"
        ) }} as forecast_missed_zh
    from targets
    group by region_code, plan_year, month
)

select * from final
