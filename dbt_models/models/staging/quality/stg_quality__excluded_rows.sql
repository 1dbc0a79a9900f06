-- 数据质量暂扣行: rows held back from staging by fatal row-level rules (raw.dq_excluded_rows, state of the
-- latest check), one row per source row and rule.
with

source as (
    select * from {{ source('raw', 'dq_excluded_rows') }}
),

renamed as (
    select
        entity,
        _file_id as file_id,
        _sheet as sheet,
        _source_row as source_row,
        rule_id
    from source
)

select * from renamed
