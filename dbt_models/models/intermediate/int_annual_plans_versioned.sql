-- One row per project and plan year with the 年初 (initial) plan and the latest plan side by side:
-- the latest version is what completion is measured against, the initial one is kept so that a
-- mid-year cut can never hide a shortfall.
with

plans as (
    select * from {{ ref('stg_raw__annual_plans') }}
),

ranked as (
    select
        plans.*,
        row_number() over (
            partition by project_id, plan_year
            order by case when plan_version = '中期调整' then 2 else 1 end desc, ingested_at desc
        ) as latest_rank
    from plans
),

initial_plan as (
    select project_id, plan_year, annual_planned_investment
    from plans
    where plan_version = '年初'
),

latest_plan as (
    select * from ranked where latest_rank = 1
),

final as (
    select
        latest_plan.project_id,
        latest_plan.plan_year,
        latest_plan.plan_version as latest_plan_version,
        latest_plan.plan_category,
        latest_plan.planned_start_month,
        latest_plan.planned_completion_in_year,
        initial_plan.annual_planned_investment as annual_plan_initial,
        latest_plan.annual_planned_investment as annual_plan_latest
    from latest_plan
    left join initial_plan
        on latest_plan.project_id = initial_plan.project_id
        and latest_plan.plan_year = initial_plan.plan_year
)

select * from final
