-- 数据质量汇总: per data-quality run and submitting unit, what the unit sent (files, rows loaded, rejected)
-- and what the checks of the raw tables found (fatal, warnings, rows held back). The bulletin shows the latest
-- run. Definitions: docs/metrics.md#data-quality-summary
with

ingest_log as (
    select * from {{ ref('stg_quality__ingest_log') }}
    where status in ('accepted', 'quarantined')
),

dq_runs as (
    select * from {{ ref('stg_quality__dq_runs') }}
    where stage = 'raw'
),

dq_results as (
    -- findings of the raw tables only: the marts stage of a run is written after the marts are built
    select * from {{ ref('stg_quality__dq_results') }}
    where table_name not like 'marts.%'
),

units as (
    select unit_name_zh, region_code from {{ ref('dim_unit') }}
),

regions as (
    select region_code, name_zh as region_name from {{ ref('dim_region') }}
),

runs as (
    select
        run_id,
        min(started_at) as checked_at
    from dq_runs
    group by run_id
),

latest_run as (
    select max(checked_at) as checked_at from runs
),

files as (
    select
        coalesce(nullif(trim(submitting_unit), ''), '（未识别单位）') as submitting_unit,
        region_code,
        status,
        rows_loaded,
        rows_rejected,
        ingested_at
    from ingest_log
),

-- a unit's region: the one region its files name, else its entry in dim_unit (when unambiguous)
unit_region_from_files as (
    select submitting_unit, min(region_code) as region_code
    from files
    where region_code is not null
    group by submitting_unit
    having count(distinct region_code) = 1
),

unit_region_from_dim as (
    select unit_name_zh as submitting_unit, min(region_code) as region_code
    from units
    group by unit_name_zh
    having count(distinct region_code) = 1
),

files_by_run as (
    select
        runs.run_id,
        files.submitting_unit,
        count(*) as files_received,
        sum(case when files.status = 'quarantined' then 1 else 0 end) as files_quarantined,
        sum(coalesce(files.rows_loaded, 0)) as rows_loaded,
        sum(coalesce(files.rows_rejected, 0)) as rows_rejected
    from runs
    inner join files on files.ingested_at <= runs.checked_at
    group by runs.run_id, files.submitting_unit
),

findings_by_run as (
    select
        run_id,
        coalesce(nullif(trim(submitting_unit), ''), '（全局/数据管理员）') as submitting_unit,
        sum(case when severity = 'fatal' then 1 else 0 end) as fatal_findings,
        sum(case when severity = 'warning' then 1 else 0 end) as warning_findings,
        sum(case when severity = 'info' then 1 else 0 end) as info_notes,
        sum(case when blocking then 1 else 0 end) as blocking_findings,
        count(distinct case
            when held_back then coalesce(file_id, '') || '|' || coalesce(sheet, '') || '|'
                || coalesce(cast(source_row as {{ dbt.type_string() }}), '')
        end) as rows_held_back,
        count(distinct case when severity in ('fatal', 'warning') then rule_id end) as rules_failed
    from dq_results
    where run_id in (select run_id from runs)
    group by run_id, coalesce(nullif(trim(submitting_unit), ''), '（全局/数据管理员）')
),

unit_runs as (
    select run_id, submitting_unit from files_by_run
    union
    select run_id, submitting_unit from findings_by_run
),

final as (
    select
        unit_runs.run_id,
        runs.checked_at,
        runs.checked_at = latest_run.checked_at as is_latest_run,
        coalesce(from_files.region_code, from_dim.region_code) as region_code,
        regions.region_name,
        unit_runs.submitting_unit,
        cast(coalesce(files_by_run.files_received, 0) as integer) as files_received,
        cast(coalesce(files_by_run.files_quarantined, 0) as integer) as files_quarantined,
        cast(coalesce(files_by_run.rows_loaded, 0) as integer) as rows_loaded,
        cast(coalesce(files_by_run.rows_rejected, 0) as integer) as rows_rejected,
        cast(coalesce(findings_by_run.fatal_findings, 0) as integer) as fatal_findings,
        cast(coalesce(findings_by_run.warning_findings, 0) as integer) as warning_findings,
        cast(coalesce(findings_by_run.info_notes, 0) as integer) as info_notes,
        cast(coalesce(findings_by_run.blocking_findings, 0) as integer) as blocking_findings,
        cast(coalesce(findings_by_run.rows_held_back, 0) as integer) as rows_held_back,
        cast(coalesce(findings_by_run.rules_failed, 0) as integer) as rules_failed
    from unit_runs
    inner join runs on unit_runs.run_id = runs.run_id
    cross join latest_run
    left join files_by_run
        on unit_runs.run_id = files_by_run.run_id
        and unit_runs.submitting_unit = files_by_run.submitting_unit
    left join findings_by_run
        on unit_runs.run_id = findings_by_run.run_id
        and unit_runs.submitting_unit = findings_by_run.submitting_unit
    left join unit_region_from_files as from_files on unit_runs.submitting_unit = from_files.submitting_unit
    left join unit_region_from_dim as from_dim on unit_runs.submitting_unit = from_dim.submitting_unit
    left join regions on coalesce(from_files.region_code, from_dim.region_code) = regions.region_code
)

select * from final
