-- Every current ledger row a traced figure can name (staging, latest revision), keyed by entity + natural
-- key: the key stays the same across revisions, so two publishes can be compared row by row. figure_sources
-- joins its parts to these rows for file, sheet, row and revision. Definitions: docs/reports.md#traceability
with

monthly_progress as (
    select * from {{ ref('stg_raw__monthly_progress') }}
),

annual_plans as (
    select * from {{ ref('stg_raw__annual_plans') }}
),

projects as (
    select * from {{ ref('stg_raw__projects') }}
),

procedures as (
    select * from {{ ref('stg_raw__procedures') }}
),

investment_contracts as (
    select * from {{ ref('stg_raw__investment_contracts') }}
),

indicator_reports as (
    select * from {{ ref('stg_raw__indicator_reports') }}
),

final as (
    select
        'monthly_progress' as source_entity,
        project_id || '|' || {{ as_text('year') }} || '|' || {{ as_text('month') }} as source_key,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from monthly_progress
    where basis = 'DISPATCH'
    union all
    select
        'annual_plans',
        project_id || '|' || {{ as_text('plan_year') }} || '|' || plan_version,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from annual_plans
    union all
    select
        'projects', project_id,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from projects
    union all
    select
        'procedures', project_id || '|' || procedure_type,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from procedures
    union all
    select
        'investment_contracts', contract_id,
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from investment_contracts
    union all
    select
        'indicator_reports',
        region_code || '|' || indicator_code || '|' || {{ as_text('year') }} || '|' || {{ as_text('month') }},
        source_file_id, source_file, source_sheet, source_row, revision, submitting_unit, ingested_at
    from indicator_reports
)

select * from final
