-- M5 (fatal): every plan target is present in mart_target_progress for every report month (2..12); a row
-- returned is a target-month the bulletins would silently leave out.
{{ config(severity='error', tags=['mart_rule'], meta={'rule_id': 'M5', 'dagster': {'ref': {'name': 'mart_target_progress'}}}) }}

with

targets as (
    select target_id, indicator_zh from {{ ref('plan_targets') }}
),

report_months as (
    select month from {{ ref('dim_report_month') }}
),

progress as (
    select target_id, month from {{ ref('mart_target_progress') }}
),

final as (
    select targets.target_id, report_months.month, targets.indicator_zh as observed
    from targets
    cross join report_months
    where not exists (
        select 1 from progress
        where progress.target_id = targets.target_id and progress.month = report_months.month
    )
)

select * from final
