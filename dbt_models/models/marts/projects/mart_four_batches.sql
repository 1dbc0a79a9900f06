-- 四个一批: per region x year x report month x stage (谋划, 储备, 开工在建, 竣工投产, 调出) the stock at
-- the month end (projects, Σ total investment, Σ latest annual plan of the year) and the flows of the
-- month (projects entering / leaving the stage, and the main forward flow into it: 谋划→储备,
-- 储备→开工在建, 开工在建→竣工投产, any→调出). Month 2 covers January and February: its flows are
-- measured from the stage at the end of the previous year. Definitions: docs/metrics/projects.md#four-batches
with

months as (
    select * from {{ ref('int_report_months') }}
),

stage_codes as (
    select code as stage, label_zh as stage_label, sort_order from {{ ref('code_lists') }}
    where list_name = 'stage'
),

stage_monthly as (
    select * from {{ ref('int_project_stage_monthly') }}
),

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

plans as (
    select project_id, plan_year, annual_plan_latest from {{ ref('int_annual_plans_versioned') }}
),

-- stage at the previous report month end; for month 2, at the end of the previous year
with_previous as (
    select
        stage_monthly.project_id,
        stage_monthly.region_code,
        stage_monthly.year,
        stage_monthly.month,
        stage_monthly.stage_at_month,
        case
            when stage_monthly.month = 2
                then {{ projects_stage_at('projects', month_end('stage_monthly.year - 1', '12')) }}
            else stage_monthly.stage_previous_month
        end as stage_before,
        projects.total_investment,
        plans.annual_plan_latest
    from stage_monthly
    inner join projects on stage_monthly.project_id = projects.project_id
    left join plans
        on stage_monthly.project_id = plans.project_id
        and stage_monthly.year = plans.plan_year
),

stock as (
    select
        region_code,
        year,
        month,
        stage_at_month as stage,
        count(*) as project_count,
        -- sums cast to the type DuckDB gives them: PostgreSQL's sum drops the scale
        cast(sum(total_investment) as decimal(38, 4)) as total_investment_wan,
        cast(sum(coalesce(annual_plan_latest, 0)) as decimal(38, 4)) as annual_plan_latest_wan
    from with_previous
    group by region_code, year, month, stage_at_month
),

entered as (
    select
        region_code,
        year,
        month,
        stage_at_month as stage,
        count(*) as entered_count,
        sum(
            case
                when stage_at_month = '储备' and stage_before = '谋划' then 1
                when stage_at_month = '开工在建' and stage_before = '储备' then 1
                when stage_at_month = '竣工投产' and stage_before = '开工在建' then 1
                when stage_at_month = '调出' then 1
                else 0
            end
        ) as main_inflow_count
    from with_previous
    where stage_before is not null and stage_before <> stage_at_month
    group by region_code, year, month, stage_at_month
),

left_stage as (
    select
        region_code,
        year,
        month,
        stage_before as stage,
        count(*) as left_count
    from with_previous
    where stage_before is not null and stage_before <> stage_at_month
    group by region_code, year, month, stage_before
),

spine as (
    select
        months.region_code,
        months.year,
        months.month,
        months.period_label,
        months.quarter,
        months.as_of_date,
        stage_codes.stage,
        stage_codes.stage_label,
        stage_codes.sort_order
    from months
    cross join stage_codes
),

final as (
    select
        spine.region_code,
        spine.year,
        spine.month,
        spine.period_label,
        spine.quarter,
        spine.as_of_date,
        spine.stage,
        spine.stage_label,
        spine.sort_order as stage_order,
        coalesce(stock.project_count, 0) as project_count,
        cast(coalesce(stock.total_investment_wan, 0) as decimal(38, 4)) as total_investment_wan,
        cast(coalesce(stock.annual_plan_latest_wan, 0) as decimal(38, 4)) as annual_plan_latest_wan,
        coalesce(entered.entered_count, 0) as entered_count,
        coalesce(left_stage.left_count, 0) as left_count,
        case spine.stage
            when '储备' then '谋划→储备'
            when '开工在建' then '储备→开工在建'
            when '竣工投产' then '开工在建→竣工投产'
            when '调出' then '→调出'
        end as main_inflow_label,
        case
            when spine.stage <> '谋划' then coalesce(entered.main_inflow_count, 0)
        end as main_inflow_count
    from spine
    left join stock
        on spine.region_code = stock.region_code
        and spine.year = stock.year
        and spine.month = stock.month
        and spine.stage = stock.stage
    left join entered
        on spine.region_code = entered.region_code
        and spine.year = entered.year
        and spine.month = entered.month
        and spine.stage = entered.stage
    left join left_stage
        on spine.region_code = left_stage.region_code
        and spine.year = left_stage.year
        and spine.month = left_stage.month
        and spine.stage = left_stage.stage
)

select * from final
