-- One row per project x year x report month x basis from the first month the project is planned or
-- reports: the cumulative figures of the latest report up to that month are carried forward (a
-- missing report does not undo what was completed), and the single-month value is derived as
-- ytd(m) - ytd(m - 1); month 2 covers January and February.
-- Incremental by (project_id, year): a build rebuilds the project-years whose inputs changed
-- (macros/incremental_partitions.sql).
{%- set inputs = ref('int_inputs__progress_monthly_filled') %}
{{ config(**partitioned_config('int_inputs__progress_monthly_filled', ['project_id', 'year'])) }}
with

progress as (
    select * from {{ ref('stg_raw__monthly_progress') }} as progress
    {%- if is_incremental() %}
    where {{ in_changed_partitions(inputs, ['project_id', 'year'], ['progress.project_id', 'progress.year']) }}
    {%- endif %}
),

plans as (
    select project_id, plan_year from {{ ref('int_annual_plans_versioned') }} as plans
    {%- if is_incremental() %}
    where {{ in_changed_partitions(inputs, ['project_id', 'year'], ['plans.project_id', 'plans.plan_year']) }}
    {%- endif %}
),

months as (
    select month from {{ ref('dim_report_month') }}
),

project_years as (
    select distinct project_id, year, basis from progress
    union
    select project_id, plan_year as year, 'DISPATCH' as basis from plans
),

spine as (
    select project_years.project_id, project_years.year, project_years.basis, months.month
    from project_years
    cross join months
),

last_report as (
    select
        spine.project_id,
        spine.year,
        spine.basis,
        spine.month,
        max(progress.month) as last_reported_month
    from spine
    left join progress
        on spine.project_id = progress.project_id
        and spine.year = progress.year
        and spine.basis = progress.basis
        and progress.month <= spine.month
    group by spine.project_id, spine.year, spine.basis, spine.month
),

filled as (
    select
        last_report.project_id,
        last_report.year,
        last_report.month,
        last_report.basis,
        last_report.last_reported_month,
        last_report.last_reported_month = last_report.month as is_reported,
        -- casts outside coalesce/CASE keep the scale on every engine (PostgreSQL drops it there)
        cast(coalesce(progress.ytd_completed, 0) as decimal(18, 4)) as ytd_completed,
        progress.since_start_completed,
        progress.ytd_funds_in_place,
        progress.physical_progress,
        progress.build_status,
        progress.problems,
        progress.submitting_unit
    from last_report
    left join progress
        on last_report.project_id = progress.project_id
        and last_report.year = progress.year
        and last_report.basis = progress.basis
        and last_report.last_reported_month = progress.month
),

final as (
    select
        filled.*,
        coalesce(filled.is_reported, false) as has_report_this_month,
        cast(
            filled.ytd_completed - coalesce(
                lag(filled.ytd_completed) over (
                    partition by filled.project_id, filled.year, filled.basis order by filled.month
                ),
                0
            ) as decimal(19, 4)
        ) as month_completed
    from filled
)

select
    project_id, year, month, basis, last_reported_month, has_report_this_month, ytd_completed,
    month_completed, since_start_completed, ytd_funds_in_place, physical_progress, build_status, problems,
    submitting_unit
from final
