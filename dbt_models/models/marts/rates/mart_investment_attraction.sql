-- 招商引资（按区县、月份） — investment attraction per region and report month, as int_investment_attraction
-- computes it (the one computation: the target binding in int_metrics__rates reads the same model).
-- Definitions: docs/metrics/rates.md
with

attraction as (
    select * from {{ ref('int_investment_attraction') }}
),

final as (
    select * from attraction
)

select * from final
