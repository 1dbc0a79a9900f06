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
    select distinct entity, _file_id as file_id, _sheet as sheet, _source_row as source_row, rule_id
    from {{ source('raw', 'dq_excluded_rows') }}
),

files as (
    select file_id, entity, submitting_unit, region_code, period_year, period_month, ingested_at
    from (
        select
            log.*,
            row_number() over (partition by log.file_id order by log.ingested_at desc) as file_rank
        from {{ source('raw', 'ingest_log') }} as log
        where log.status = 'accepted'
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
    select project_id, max(region_code) as region_code from {{ source('raw', 'projects') }} group by project_id
),

progress_rows as (
    select
        _file_id as file_id, _sheet as sheet, _source_row as source_row, project_id, year, month,
        row_number() over (partition by project_id, year, month, basis order by _revision desc) = 1 as is_current
    from {{ source('raw', 'monthly_progress') }}
),

plan_rows as (
    select
        _file_id as file_id, _sheet as sheet, _source_row as source_row, project_id, plan_year as year,
        row_number() over (partition by project_id, plan_year, plan_version order by _revision desc) = 1
            as is_current
    from {{ source('raw', 'annual_plans') }}
),

project_rows as (
    select
        _file_id as file_id, _sheet as sheet, _source_row as source_row, project_id, region_code,
        row_number() over (partition by project_id order by _revision desc) = 1 as is_current
    from {{ source('raw', 'projects') }}
),

procedure_rows as (
    select
        _file_id as file_id, _sheet as sheet, _source_row as source_row, project_id,
        row_number() over (partition by project_id, procedure_type order by _revision desc) = 1 as is_current
    from {{ source('raw', 'procedures') }}
),

deal_rows as (
    select
        _file_id as file_id, _sheet as sheet, _source_row as source_row, contract_id, region_code, project_id,
        row_number() over (partition by contract_id order by _revision desc) = 1 as is_current
    from {{ source('raw', 'investment_contracts') }}
),

held as (
    select
        'held_back' as kind,
        excluded.entity,
        excluded.file_id,
        excluded.sheet,
        excluded.source_row,
        excluded.rule_id as rule,
        coalesce(
            progress_rows.project_id, plan_rows.project_id, project_rows.project_id, procedure_rows.project_id,
            deal_rows.project_id
        ) as project_id,
        deal_rows.contract_id,
        coalesce(project_rows.region_code, deal_rows.region_code) as row_region_code,
        coalesce(progress_rows.year, plan_rows.year, files.period_year) as year,
        coalesce(progress_rows.month, files.period_month) as month,
        files.region_code as file_region_code
    from excluded
    left join files on excluded.file_id = files.file_id
    left join progress_rows
        on excluded.entity = 'monthly_progress'
        and excluded.file_id = progress_rows.file_id
        and excluded.sheet = progress_rows.sheet
        and excluded.source_row = progress_rows.source_row
    left join plan_rows
        on excluded.entity = 'annual_plans'
        and excluded.file_id = plan_rows.file_id
        and excluded.sheet = plan_rows.sheet
        and excluded.source_row = plan_rows.source_row
    left join project_rows
        on excluded.entity = 'projects'
        and excluded.file_id = project_rows.file_id
        and excluded.sheet = project_rows.sheet
        and excluded.source_row = project_rows.source_row
    left join procedure_rows
        on excluded.entity = 'procedures'
        and excluded.file_id = procedure_rows.file_id
        and excluded.sheet = procedure_rows.sheet
        and excluded.source_row = procedure_rows.source_row
    left join deal_rows
        on excluded.entity = 'investment_contracts'
        and excluded.file_id = deal_rows.file_id
        and excluded.sheet = deal_rows.sheet
        and excluded.source_row = deal_rows.source_row
    -- a held-back row that a corrected resubmission superseded no longer hides anything
    where coalesce(
        progress_rows.is_current, plan_rows.is_current, project_rows.is_current, procedure_rows.is_current,
        deal_rows.is_current, true
    )
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
    from {{ source('raw', 'rejected_rows') }} as rejected_rows
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
