-- 季考核: per lead unit and quarter, the targets it owns and how many are met, on track, behind or
-- severely behind at the quarter's last report month. Definitions: docs/metrics/targets.md
with

progress as (
    select * from {{ ref('mart_target_progress') }}
    where is_quarter_end
),

scored as (
    select
        region_code, plan_year, quarter, month as as_of_month, lead_unit,
        count(*) as targets_owned,
        {{ target_status_counts('status') }},
        sum(case when forecast_meets_target then 1 else 0 end) as targets_forecast_met
    from progress
    group by region_code, plan_year, quarter, month, lead_unit
),

final as (
    select
        scored.*,
        {{ safe_ratio('targets_met + targets_on_track', 'targets_owned - targets_without_data') }} as on_track_share
    from scored
)

select * from final
