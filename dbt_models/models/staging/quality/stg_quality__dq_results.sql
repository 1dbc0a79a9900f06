-- 数据质量问题: one row per finding of a rule (raw.dq_results), the columns the marts read.
with

source as (
    select * from {{ source('raw', 'dq_results') }}
),

renamed as (
    select
        run_id,
        rule_id,
        table_name,
        severity,
        blocking,
        held_back,
        submitting_unit,
        file_id,
        sheet,
        source_row
    from source
)

select * from renamed
