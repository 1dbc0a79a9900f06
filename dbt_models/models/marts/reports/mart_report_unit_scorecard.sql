-- 季考核（报告用）: per lead unit and quarter, the targets it owns by report status at the quarter's last report
-- month (完成 / 未完成 for targets already due). 考核完成率 = (完成 + 达标 + 正常) / (targets owned − 无数据):
-- a target already met or on track counts, a target missed at its due date never does.
with

targets as (
    select * from {{ ref('mart_report_targets') }}
    where is_quarter_end
),

scored as (
    select
        region_code, plan_year, quarter, month as as_of_month, lead_unit,
        count(*) as targets_owned,
        sum(case when report_status = '完成' then 1 else 0 end) as targets_completed,
        sum(case when report_status = '未完成' then 1 else 0 end) as targets_not_completed,
        {{ target_status_counts('report_status', as_integer=true) }},
        sum(case when is_forecast_miss then 1 else 0 end) as targets_forecast_missed
    from targets
    group by region_code, plan_year, quarter, month, lead_unit
),

shared as (
    select
        scored.*,
        {{ safe_ratio(
            'targets_completed + targets_met + targets_on_track', 'targets_owned - targets_without_data'
        ) }} as on_track_share
    from scored
),

final as (
    select
        region_code,
        plan_year,
        quarter,
        as_of_month,
        lead_unit,
        cast(targets_owned as integer) as targets_owned,
        cast(targets_completed as integer) as targets_completed,
        cast(targets_not_completed as integer) as targets_not_completed,
        targets_met,
        targets_on_track,
        targets_behind,
        targets_severely_behind,
        targets_without_data,
        cast(targets_forecast_missed as integer) as targets_forecast_missed,
        on_track_share,
        cast(
            rank() over (
                partition by region_code, plan_year, quarter
                order by on_track_share desc nulls last
            ) as integer
        ) as unit_rank,
        cast(count(on_track_share) over (partition by region_code, plan_year, quarter) as integer)
            as units_ranked
    from shared
)

select * from final
