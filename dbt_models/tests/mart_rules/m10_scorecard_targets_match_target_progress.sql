-- M10 (fatal): targets_owned of mart_unit_scorecard equals the unit's targets in mart_target_progress at the
-- quarter-end month; a row returned is a unit-quarter whose count does not match.
{{ config(severity='error', tags=['mart_rule'], meta={'rule_id': 'M10', 'dagster': {'ref': {'name': 'mart_unit_scorecard'}}}) }}

with

scorecard as (
    select * from {{ ref('mart_unit_scorecard') }}
),

progress as (
    select region_code, plan_year, month, lead_unit from {{ ref('mart_target_progress') }}
),

final as (
    select t.region_code, t.plan_year, t.quarter, t.lead_unit, t.targets_owned as observed
    from scorecard as t
    where t.targets_owned <> (
        select count(*) from progress as p
        where p.region_code = t.region_code and p.plan_year = t.plan_year
            and p.month = t.as_of_month and p.lead_unit = t.lead_unit
    )
)

select * from final
