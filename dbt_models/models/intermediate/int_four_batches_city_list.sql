-- 四个一批 as the city assigns it (市级下达的"四个一批"项目推进任务): every project at every report month with
-- whether it is on the city-assigned list and in which batch it counts toward the year's task:
--   谋划 / 储备 — the stock at the month end (a list of projects in the stage);
--   开工（在建） — started by the month end and not completed before the year (the year's construction list;
--                 a project that completes during the year was under construction in it);
--   竣工 — completed (竣工/投产 date) in the plan year by the month end: a flow of the year, not a stock.
-- On the city list: key level 国家级/省级/市级 (the only contract field that says the city manages a project;
-- the plan's 开工 task, 30 projects / 43.34亿 annual plan, is exactly its 30 市级重点项目); a 谋划/储备 project
-- without any key level is on it too (key levels are given to implementation lists; every 谋划/储备 project
-- enters the 四个一批 library through the city's joint review), a 县级 one is the county's own.
-- Definition and the plan's sentence: docs/metrics/projects.md#four-batches-city-list
with

stage_monthly as (
    select * from {{ ref('int_project_stage_monthly') }}
),

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

plans as (
    select project_id, plan_year, annual_plan_initial, annual_plan_latest
    from {{ ref('int_annual_plans_versioned') }}
),

flagged as (
    select
        stage_monthly.project_id,
        stage_monthly.region_code,
        stage_monthly.year,
        stage_monthly.month,
        stage_monthly.as_of_date,
        stage_monthly.stage_at_month,
        projects.key_level,
        projects.total_investment,
        plans.annual_plan_initial,
        plans.annual_plan_latest,
        coalesce(
            projects.is_city_key_project
            or (projects.key_level is null and stage_monthly.stage_at_month in ('谋划', '储备')),
            false
        ) as is_on_city_list,
        coalesce(
            stage_monthly.stage_at_month <> '调出'
            and projects.actual_start_date <= stage_monthly.as_of_date
            and (
                projects.completed_date is null
                or projects.completed_date >= {{ month_start('stage_monthly.year', '1') }}
            ),
            false
        ) as is_started_in_year,
        coalesce(
            stage_monthly.stage_at_month = '竣工投产'
            and projects.completed_date >= {{ month_start('stage_monthly.year', '1') }},
            false
        ) as is_completed_in_year
    from stage_monthly
    inner join projects on stage_monthly.project_id = projects.project_id
    left join plans
        on stage_monthly.project_id = plans.project_id
        and stage_monthly.year = plans.plan_year
),

final as (
    select
        project_id,
        region_code,
        year,
        month,
        stage_at_month,
        key_level,
        total_investment,
        annual_plan_initial,
        annual_plan_latest,
        is_on_city_list,
        is_on_city_list and stage_at_month = '谋划' as in_city_batch_conceived,
        is_on_city_list and stage_at_month = '储备' as in_city_batch_reserve,
        is_on_city_list and is_started_in_year as in_city_batch_started,
        is_on_city_list and is_completed_in_year as in_city_batch_completed,
        is_started_in_year,
        is_completed_in_year
    from flagged
)

select * from final
