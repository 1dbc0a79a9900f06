-- Fingerprints of the inputs of the (region, year) partitions of the project-month models (int_project_stage_monthly,
-- int_planned_project_months, int_plan_completion_members), one row per region x year: the report-month spine
-- of the region-year, the region's project register rows (they count in every year of the region), the annual
-- plans and the carried-forward progress of the region's projects for the year, and the code lists. A project
-- moved to another region changes both regions. A partition whose fingerprint changed is rebuilt
-- (macros/incremental_partitions.sql).
with

months as (
    select * from {{ ref('int_report_months') }}
),

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

plans as (
    select * from {{ ref('int_annual_plans_versioned') }}
),

progress as (
    select * from {{ ref('int_progress_monthly_filled') }}
),

code_lists as (
    select * from {{ ref('code_lists') }}
),

region_years as (
    select distinct region_code, year from months
),

-- inputs every partition reads: a change rebuilds them all
whole_table as (
    select coalesce(sum({{ row_hash('code_lists') }}), 0) as fingerprint from code_lists
),

rows_by_partition as (
    select region_code, year, {{ row_hash('months') }} as row_hash from months
    union all
    select region_years.region_code, region_years.year, {{ row_hash('projects') }} as row_hash
    from projects
    inner join region_years on projects.region_code = region_years.region_code
    union all
    select projects.region_code, plans.plan_year as year, {{ row_hash('plans') }} as row_hash
    from plans
    inner join projects on plans.project_id = projects.project_id
    union all
    select projects.region_code, progress.year, {{ row_hash('progress') }} as row_hash
    from progress
    inner join projects on progress.project_id = projects.project_id
),

final as (
    select
        rows_by_partition.region_code,
        rows_by_partition.year,
        cast(sum(rows_by_partition.row_hash) + max(whole_table.fingerprint) as decimal(38, 0)) as fingerprint,
        count(*) as input_rows
    from rows_by_partition
    cross join whole_table
    group by rows_by_partition.region_code, rows_by_partition.year
)

select * from final
