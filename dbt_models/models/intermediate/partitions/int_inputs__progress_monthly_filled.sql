-- Fingerprints of the inputs of int_progress_monthly_filled, one row per (project_id, year): the rows of a
-- project-year depend only on its progress reports (latest revisions, held-back rows left out), its annual plan and
-- the report-month seed. A partition whose fingerprint changed is rebuilt (macros/incremental_partitions.sql).
with

progress as (
    select * from {{ ref('stg_raw__monthly_progress') }}
),

plans as (
    select * from {{ ref('int_annual_plans_versioned') }}
),

months as (
    select * from {{ ref('dim_report_month') }}
),

-- inputs every partition reads: a change rebuilds them all
whole_table as (
    select coalesce(sum({{ row_hash('months') }}), 0) as fingerprint from months
),

rows_by_partition as (
    select project_id, year, {{ row_hash('progress') }} as row_hash from progress
    union all
    select project_id, plan_year as year, {{ row_hash('plans') }} as row_hash from plans
),

final as (
    select
        rows_by_partition.project_id,
        rows_by_partition.year,
        cast(sum(rows_by_partition.row_hash) + max(whole_table.fingerprint) as decimal(38, 0)) as fingerprint,
        count(*) as input_rows
    from rows_by_partition
    cross join whole_table
    group by rows_by_partition.project_id, rows_by_partition.year
)

select * from final
