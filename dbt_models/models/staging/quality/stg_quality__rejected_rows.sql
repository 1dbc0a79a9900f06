-- 退回行清单: rows rejected at ingestion (raw.rejected_rows), one row per source row and problem.
with

source as (
    select * from {{ source('raw', 'rejected_rows') }}
),

renamed as (
    select
        entity,
        file_id,
        sheet,
        source_row,
        rule
    from source
)

select * from renamed
