-- 文件接收日志: one row per file per ingestion attempt (raw.ingest_log), the columns the marts read.
with

source as (
    select * from {{ source('raw', 'ingest_log') }}
),

renamed as (
    select
        file_id,
        entity,
        status,
        submitting_unit,
        region_code,
        period_year,
        period_month,
        rows_loaded,
        rows_rejected,
        ingested_at
    from source
)

select * from renamed
