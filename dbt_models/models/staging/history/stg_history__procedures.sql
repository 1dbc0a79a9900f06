-- 前期手续台账（全部版本）: every revision of raw.procedures (the append-only history; staging/raw keeps only the latest), the
-- columns that figures about replaced or held-back rows read.
with

source as (
    select * from {{ source('raw', 'procedures') }}
),

renamed as (
    select
        _file_id as source_file_id, _sheet as source_sheet, _source_row as source_row,
        project_id,
        procedure_type,
        _revision as revision
    from source
)

select * from renamed
