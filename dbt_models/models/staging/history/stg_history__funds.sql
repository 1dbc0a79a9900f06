-- 争取资金台账（全部版本）: every revision of raw.funds (the append-only history; staging/raw keeps only the latest), the
-- columns that figures about replaced or held-back rows read.
with

source as (
    select * from {{ source('raw', 'funds') }}
),

renamed as (
    select
        project_id,
        fund_type,
        fund_year,
        batch,
        paid_amount,
        paid_as_of,
        _revision as revision
    from source
)

select * from renamed
