-- Rows that a figure is missing because they are not in staging: held back by a fatal row-level
-- data-quality rule (raw.dq_excluded_rows, state of the latest check) or rejected at ingestion
-- (raw.rejected_rows), one row per source row, attributed as far as the data allows to a region, a report
-- period, a project and a deal. Held-back rows keep their values in raw, so they are attributed from the row
-- itself (project, year, month); a rejected row has no values, so it gets the region and period of its file.
-- A rejection counts only while its file is the unit's latest accepted file of that ledger, region and
-- period: a corrected resubmission supersedes it. The coverage columns of the headline marts count these
-- rows. Definition: docs/metrics/coverage.md
with

excluded as (
    select distinct entity, file_id, sheet, source_row, rule_id
    from {{ ref('stg_quality__excluded_rows') }}
),

ingest_log as (
    select * from {{ ref('stg_quality__ingest_log') }}
    where status = 'accepted'
),

rejected_rows as (
    select * from {{ ref('stg_quality__rejected_rows') }}
),

monthly_progress_history as (
    select * from {{ ref('stg_history__monthly_progress') }}
),

annual_plans_history as (
    select * from {{ ref('stg_history__annual_plans') }}
),

projects_history as (
    select * from {{ ref('stg_history__projects') }}
),

procedures_history as (
    select * from {{ ref('stg_history__procedures') }}
),

investment_contracts_history as (
    select * from {{ ref('stg_history__investment_contracts') }}
),

files as (
    select file_id, entity, submitting_unit, region_code, period_year, period_month, ingested_at
    from (
        select
            ingest_log.*,
            row_number() over (partition by ingest_log.file_id order by ingest_log.ingested_at desc) as file_rank
        from ingest_log
    ) as ranked
    where file_rank = 1
),

-- the newest accepted file of every (ledger, unit, region, period): older files' rejections are superseded
latest_files as (
    select file_id
    from (
        select
            files.file_id,
            row_number() over (
                partition by files.entity, files.submitting_unit, files.region_code, files.period_year,
                    files.period_month
                order by files.ingested_at desc
            ) as newest_rank
        from files
    ) as ranked
    where newest_rank = 1
),

registry as (
    select project_id, max(region_code) as region_code
    from projects_history
    group by project_id
),

-- every revision of every ledger row a held-back row can be, with what attributes it (project, deal, region,
-- period) and whether it is still the current revision of its natural key
ledger_rows as (
    select
        'monthly_progress' as entity, source_file_id, source_sheet, source_row, project_id,
        cast(null as {{ dbt.type_string() }}) as contract_id, cast(null as {{ dbt.type_string() }}) as region_code,
        year, month,
        row_number() over (partition by project_id, year, month, basis order by revision desc) = 1 as is_current
    from monthly_progress_history
    union all
    select
        'annual_plans', source_file_id, source_sheet, source_row, project_id, null, null, plan_year, null,
        row_number() over (partition by project_id, plan_year, plan_version order by revision desc) = 1
    from annual_plans_history
    union all
    select
        'projects', source_file_id, source_sheet, source_row, project_id, null, region_code, null, null,
        row_number() over (partition by project_id order by revision desc) = 1
    from projects_history
    union all
    select
        'procedures', source_file_id, source_sheet, source_row, project_id, null, null, null, null,
        row_number() over (partition by project_id, procedure_type order by revision desc) = 1
    from procedures_history
    union all
    select
        'investment_contracts', source_file_id, source_sheet, source_row, project_id, contract_id, region_code,
        null, null,
        row_number() over (partition by contract_id order by revision desc) = 1
    from investment_contracts_history
),

held as (
    select
        'held_back' as kind,
        excluded.entity,
        excluded.file_id,
        excluded.sheet,
        excluded.source_row,
        excluded.rule_id as rule,
        ledger_rows.project_id,
        ledger_rows.contract_id,
        ledger_rows.region_code as row_region_code,
        coalesce(ledger_rows.year, files.period_year) as year,
        coalesce(ledger_rows.month, files.period_month) as month,
        files.region_code as file_region_code
    from excluded
    left join files on excluded.file_id = files.file_id
    left join ledger_rows
        on excluded.entity = ledger_rows.entity
        and excluded.file_id = ledger_rows.source_file_id
        and excluded.sheet = ledger_rows.source_sheet
        and excluded.source_row = ledger_rows.source_row
    -- a held-back row that a corrected resubmission superseded no longer hides anything
    where coalesce(ledger_rows.is_current, true)
),

rejected as (
    select
        'rejected' as kind,
        rejected_rows.entity,
        rejected_rows.file_id,
        rejected_rows.sheet,
        rejected_rows.source_row,
        min(rejected_rows.rule) as rule,
        cast(null as {{ dbt.type_string() }}) as project_id,
        cast(null as {{ dbt.type_string() }}) as contract_id,
        cast(null as {{ dbt.type_string() }}) as row_region_code,
        max(files.period_year) as year,
        max(files.period_month) as month,
        max(files.region_code) as file_region_code
    from rejected_rows
    inner join latest_files on rejected_rows.file_id = latest_files.file_id
    left join files on rejected_rows.file_id = files.file_id
    group by rejected_rows.entity, rejected_rows.file_id, rejected_rows.sheet, rejected_rows.source_row
),

unioned as (
    select * from held
    union all
    select * from rejected
),

final as (
    select
        unioned.kind,
        unioned.entity,
        unioned.file_id,
        unioned.sheet,
        cast(unioned.source_row as integer) as source_row,
        unioned.rule,
        unioned.project_id,
        unioned.contract_id,
        coalesce(unioned.row_region_code, registry.region_code, unioned.file_region_code) as region_code,
        cast(unioned.year as integer) as year,
        cast(unioned.month as integer) as month
    from unioned
    left join registry on unioned.project_id = registry.project_id
)

select * from final
