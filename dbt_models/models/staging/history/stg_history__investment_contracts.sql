-- 招商引资签约项目台账（全部版本）: every revision of raw.investment_contracts (the append-only history; staging/raw keeps only the latest), the
-- columns that figures about replaced or held-back rows read.
with

source as (
    select * from {{ source('raw', 'investment_contracts') }}
),

renamed as (
    select
        _file_id as source_file_id, _sheet as source_sheet, _source_row as source_row,
        contract_id,
        region_code,
        project_id,
        _revision as revision
    from source
)

select * from renamed
