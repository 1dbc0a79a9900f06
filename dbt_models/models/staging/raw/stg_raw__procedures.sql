-- generated from dagster_project/xmdw/contract/contract.yml by `xmdw contract-render`; do not edit
-- 前期手续办理台账: latest revision of every (project_id, procedure_type), typed and documented;
-- rows held back by fatal data-quality rules (raw.dq_excluded_rows) are left out.
with

source as (
    {{ latest_revision(source('raw', 'procedures'), ['project_id', 'procedure_type'], 'procedures') }}
),

renamed as (
    select
        cast(project_id as {{ dbt.type_string() }}) as project_id,
        cast(project_name as {{ dbt.type_string() }}) as project_name,
        cast(procedure_type as {{ dbt.type_string() }}) as procedure_type,
        cast(is_required as boolean) as is_required,
        cast(status as {{ dbt.type_string() }}) as status,
        cast(submitted_date as date) as submitted_date,
        cast(approved_date as date) as approved_date,
        cast(doc_no as {{ dbt.type_string() }}) as doc_no,
        cast(approving_dept as {{ dbt.type_string() }}) as approving_dept,
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
