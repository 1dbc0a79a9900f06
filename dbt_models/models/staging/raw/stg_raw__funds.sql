-- generated from dagster_project/xmdw/contract/contract.yml by `xmdw contract-render`; do not edit
-- 争取资金台账: latest revision of every (project_id, fund_type, fund_year, batch), typed and documented;
-- rows held back by fatal data-quality rules (raw.dq_excluded_rows) are left out.
with

source as (
    {{ latest_revision(source('raw', 'funds'), ['project_id', 'fund_type', 'fund_year', 'batch'], 'funds') }}
),

renamed as (
    select
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(project_name as {{ dbt.type_string() }}) as project_name,
        cast(fund_type as {{ dbt.type_string() }}) as fund_type,
        cast(fund_year as integer) as fund_year,
        cast(batch as {{ dbt.type_string() }}) as batch,
        cast(fund_category as {{ dbt.type_string() }}) as fund_category,
        cast(requested_amount as decimal(18,4)) as requested_amount,
        cast(issued_amount as decimal(18,4)) as issued_amount,
        cast(issued_date as date) as issued_date,
        cast(received_amount as decimal(18,4)) as received_amount,
        cast(received_date as date) as received_date,
        cast(paid_amount as decimal(18,4)) as paid_amount,
        cast(paid_as_of as date) as paid_as_of,
        cast(doc_no as {{ dbt.type_string() }}) as doc_no,
        cast(_file_id as {{ dbt.type_string() }}) as source_file_id,
        cast(_source_file as {{ dbt.type_string() }}) as source_file,
        cast(_sheet as {{ dbt.type_string() }}) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as {{ dbt.type_string() }}) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)

select * from renamed
