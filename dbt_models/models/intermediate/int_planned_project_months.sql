-- One row per project on a year's plan (latest plan version) x report month of its region: what the rate
-- cohorts (int_rate_project_cohorts) and the project-list figures of the lineage (int_figure_value_parts) need,
-- with the project's carried-forward dispatch YTD at the month (0 before its first report).
-- Definitions: docs/metrics/rates.md#cohorts, docs/metrics/progress.md
-- Incremental by (region_code, year): a build rebuilds the region-years whose inputs changed
-- (macros/incremental_partitions.sql).
{%- set inputs = ref('int_inputs__region_year') %}
{{ config(**partitioned_config('int_inputs__region_year', ['region_code', 'year'])) }}
with

months as (
    select region_code, year, month, as_of_date from {{ ref('int_report_months') }} as months
    {%- if is_incremental() %}
    where {{ in_changed_partitions(inputs, ['region_code', 'year'], ['months.region_code', 'months.year']) }}
    {%- endif %}
),

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

plans as (
    select * from {{ ref('int_annual_plans_versioned') }}
),

progress_filled as (
    select project_id, year, month, last_reported_month, ytd_completed
    from {{ ref('int_progress_monthly_filled') }}
    where basis = 'DISPATCH'
),

final as (
    select
        plans.project_id,
        projects.project_name,
        projects.region_code,
        coalesce(nullif(trim(projects.lead_unit), ''), '（未填报）') as lead_unit,
        plans.plan_year as year,
        months.month,
        months.as_of_date,
        plans.plan_category,
        plans.planned_start_month,
        plans.latest_plan_version,
        coalesce(plans.planned_completion_in_year, false)
        or coalesce(plans.plan_category = '竣工', false) as is_due_to_complete,
        plans.annual_plan_initial,
        plans.annual_plan_latest,
        projects.is_key_project,
        projects.is_city_key_project,
        projects.is_new_capacity,
        projects.actual_start_date,
        projects.completed_date,
        -- 入库 standard: in the statistical library from its entry date, planned total ≥ 500 万元
        projects.in_stats_library,
        projects.stats_entry_date,
        projects.total_investment,
        progress_filled.last_reported_month,
        cast(coalesce(progress_filled.ytd_completed, 0) as decimal(18, 4)) as ytd_completed
    from plans
    inner join projects on plans.project_id = projects.project_id
    inner join months on projects.region_code = months.region_code and plans.plan_year = months.year
    left join progress_filled
        on plans.project_id = progress_filled.project_id
        and plans.plan_year = progress_filled.year
        and months.month = progress_filled.month
)

select * from final
