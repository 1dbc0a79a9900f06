-- 计划投资完成率, member values (the one place they are defined): every project on the year's plan (an
-- annual plan for the year) at every report month, with what it adds to the numerator and to each
-- denominator. The plan's "年度计划投资完成率" is a year-to-date cumulative figure, so a project that did not
-- report this month keeps the cumulative figure of its latest report (carried forward, flagged); one that
-- has not reported yet this year adds 0. Dispatch figures (DISPATCH) only.
-- Definition: docs/metrics/progress.md#plan-completion
-- Incremental by (region_code, year): a build rebuilds the region-years whose inputs changed
-- (macros/incremental_partitions.sql).
{%- set inputs = ref('int_inputs__region_year') %}
{{ config(**partitioned_config('int_inputs__region_year', ['region_code', 'year'])) }}
with

plans as (
    select * from {{ ref('int_annual_plans_versioned') }}
),

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

progress as (
    select project_id, year, month, last_reported_month, has_report_this_month, ytd_completed
    from {{ ref('int_progress_monthly_filled') }}
    where basis = 'DISPATCH'
),

final as (
    select
        plans.project_id,
        projects.region_code,
        coalesce(projects.region_name, projects.region_code) as region_name,
        plans.plan_year as year,
        progress.month,
        coalesce(nullif(trim(projects.lead_unit), ''), '（未填报）') as lead_unit,
        coalesce(nullif(trim(projects.town), ''), '（未填报）') as town,
        coalesce(projects.is_key_project, false) as is_key_project,
        coalesce(projects.is_city_key_project, false) as is_city_key_project,
        plans.annual_plan_initial,
        plans.annual_plan_latest,
        plans.annual_plan_initial is not null as has_initial_plan,
        cast(coalesce(progress.ytd_completed, 0) as decimal(18, 4)) as ytd_completed,
        coalesce(progress.has_report_this_month, false) as reported_this_month,
        progress.last_reported_month,
        coalesce(progress.last_reported_month < progress.month, false) as is_carried_forward,
        progress.last_reported_month is null as is_not_reported_yet
    from plans
    inner join projects on plans.project_id = projects.project_id
    inner join progress
        on plans.project_id = progress.project_id
        and plans.plan_year = progress.year
    {%- if is_incremental() %}
    where {{ in_changed_partitions(inputs, ['region_code', 'year'], ['projects.region_code', 'plans.plan_year']) }}
    {%- endif %}
)

select * from final
