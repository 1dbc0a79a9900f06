-- The cumulative paid amount of every fund row as the units reported it over time (支付进度快照), read from
-- the revision history (stg_history__funds): staging keeps only the latest revision, while a quarterly
-- resubmission is the only record of what was paid by an earlier date. One row per fund row and paid_as_of
-- (the highest revision wins for the same date; a paid amount without its date counts from 31 December of
-- the fund year), valid until the next snapshot (next_paid_as_of, null = still current). Join on
-- `paid_as_of <= as_of and (next_paid_as_of is null or next_paid_as_of > as_of)`.
-- Definitions: docs/metrics/funds.md
with

history as (
    select * from {{ ref('stg_history__funds') }}
    where paid_amount is not null
),

dated as (
    select
        history.*,
        coalesce(history.paid_as_of, {{ month_end('history.fund_year', 12) }}) as paid_from
    from history
),

ranked as (
    select
        {{ funds_row_key('dated') }} as fund_row_key,
        dated.paid_from as paid_as_of,
        cast(dated.paid_amount as decimal(18, 4)) as paid_amount,
        row_number() over (
            partition by dated.project_id, dated.fund_type, dated.fund_year, dated.batch, dated.paid_from
            order by dated.revision desc
        ) as revision_rank
    from dated
),

final as (
    select
        fund_row_key,
        paid_as_of,
        paid_amount,
        lead(paid_as_of) over (partition by fund_row_key order by paid_as_of) as next_paid_as_of
    from ranked
    where revision_rank = 1
)

select * from final
