-- generated from dagster_project/xmdw/contract/contract.yml by `xmdw contract-render`; do not edit
-- 招商引资签约项目台账: latest revision of every (contract_id), typed and documented;
-- rows held back by fatal data-quality rules (raw.dq_excluded_rows) are left out.
with

source as (
    {{ latest_revision(source('raw', 'investment_contracts'), ['contract_id'], 'investment_contracts') }}
),

renamed as (
    select
        cast(contract_id as {{ dbt.type_string() }}) as contract_id,
        cast(project_name as {{ dbt.type_string() }}) as project_name,
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(investor as {{ dbt.type_string() }}) as investor,
        cast(investor_origin as {{ dbt.type_string() }}) as investor_origin,
        cast(signing_event as {{ dbt.type_string() }}) as signing_event,
        cast(signed_date as date) as signed_date,
        cast(contract_amount as decimal(18,4)) as contract_amount,
        cast(land_approved_date as date) as land_approved_date,
        cast(land_doc_no as {{ dbt.type_string() }}) as land_doc_no,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(funds_in_place as decimal(18,4)) as funds_in_place,
        cast(funds_in_place_usd as decimal(18,4)) as funds_in_place_usd,
        cast(project_id as {{ dbt.type_string() }}) as project_id,
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
