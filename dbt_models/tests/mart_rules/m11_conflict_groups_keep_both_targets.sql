-- M11 (fatal): every conflict group of mart_plan_conflicts keeps at least two target rows, each a plan target
-- (PRODUCT.md: keep both, flag the conflict, never silently pick one); a row returned was dropped or orphaned.
{{ config(severity='error', tags=['mart_rule'], meta={'rule_id': 'M11', 'dagster': {'ref': {'name': 'mart_plan_conflicts'}}}) }}

with

conflicts as (
    select * from {{ ref('mart_plan_conflicts') }}
),

targets as (
    select target_id from {{ ref('plan_targets') }}
),

final as (
    select t.conflict_group, t.target_id, t.conflict_group as observed
    from conflicts as t
    where (select count(*) from conflicts as o where o.conflict_group = t.conflict_group) < 2
        or not exists (select 1 from targets as p where p.target_id = t.target_id)
)

select * from final
