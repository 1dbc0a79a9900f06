-- 四个一批 stock per project and report month: the stage of every registered project at the month end
-- (int_project_stage_monthly) with what the stage targets sum (total investment, latest annual plan), whether
-- it was completed in the year (竣工投产 at the month end with a completion/operation date this year) and
-- whether it is on the year's key-project list. int_metrics__projects sums it; the lineage
-- (int_figure_value_parts) lists it row by row. Definitions: docs/metrics/projects.md
with

stage_monthly as (
    select project_id, region_code, year, month, stage_at_month from {{ ref('int_project_stage_monthly') }}
),

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

plans as (
    select * from {{ ref('int_annual_plans_versioned') }}
),

-- the year's key-project list: key projects with an annual plan for the year
key_list as (
    select plans.project_id, plans.plan_year as year
    from plans
    inner join projects on plans.project_id = projects.project_id
    where projects.is_key_project
),

final as (
    select
        stage_monthly.region_code,
        stage_monthly.year,
        stage_monthly.month,
        stage_monthly.stage_at_month,
        projects.project_id,
        projects.project_name,
        projects.total_investment,
        plans.annual_plan_latest,
        plans.latest_plan_version,
        coalesce(
            stage_monthly.stage_at_month = '竣工投产'
            and projects.completed_date >= {{ month_start('stage_monthly.year', '1') }},
            false
        ) as is_completed_this_year,
        key_list.project_id is not null as is_on_key_list
    from stage_monthly
    inner join projects on stage_monthly.project_id = projects.project_id
    left join plans
        on stage_monthly.project_id = plans.project_id
        and stage_monthly.year = plans.plan_year
    left join key_list
        on stage_monthly.project_id = key_list.project_id
        and stage_monthly.year = key_list.year
)

select * from final
