-- Project-data metrics of the `projects` area in long form for target binding: one row per region x year
-- x report month x metric_key, value as of the end of the month (YTD for amounts and flows, stock for
-- counts of lists and stages). Basis: dispatch figures (DISPATCH). Cohorts and definitions:
-- docs/metrics/projects.md#metric-keys
{%- set stages = ['谋划', '储备', '开工在建', '竣工投产'] %}
with

months as (
    select region_code, year, month, as_of_date from {{ ref('int_report_months') }}
),

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

plans as (
    select * from {{ ref('int_annual_plans_versioned') }}
),

progress as (
    select project_id, year, month, ytd_completed from {{ ref('int_progress_monthly_filled') }}
    where basis = 'DISPATCH'
),

stage_monthly as (
    select project_id, region_code, year, month, stage_at_month from {{ ref('int_project_stage_monthly') }}
),

-- the year's plan list: every project with an annual plan for the year (latest version)
planned as (
    select
        projects.project_id,
        projects.region_code,
        plans.plan_year as year,
        plans.plan_category,
        plans.annual_plan_latest,
        projects.is_key_project,
        projects.is_city_key_project,
        projects.is_new_capacity,
        projects.total_investment,
        projects.actual_start_date
    from plans
    inner join projects on plans.project_id = projects.project_id
),

planned_monthly as (
    select
        months.region_code,
        months.year,
        months.month,
        planned.is_key_project,
        planned.is_city_key_project,
        planned.is_new_capacity,
        planned.annual_plan_latest,
        planned.total_investment,
        coalesce(progress.ytd_completed, 0) as ytd_completed,
        coalesce(planned.plan_category = '新开工' and planned.actual_start_date <= months.as_of_date, false)
            as is_new_start_started
    from months
    inner join planned
        on months.region_code = planned.region_code
        and months.year = planned.year
    left join progress
        on planned.project_id = progress.project_id
        and months.year = progress.year
        and months.month = progress.month
),

plan_measures as (
    select
        region_code,
        year,
        month,
        sum(case when is_key_project then 1 else 0 end) as key_project_count,
        sum(case when is_key_project and is_new_start_started then 1 else 0 end) as key_project_new_start_count,
        sum(case when is_key_project then ytd_completed else 0 end) as key_project_annual_investment,
        sum(case when is_key_project then annual_plan_latest else 0 end) as key_project_annual_plan,
        sum(case when is_city_key_project then 1 else 0 end) as city_key_project_count,
        sum(case when is_city_key_project and is_new_start_started then 1 else 0 end)
            as city_key_project_new_start_count,
        sum(case when is_city_key_project then ytd_completed else 0 end) as city_key_project_annual_investment,
        sum(
            case
                when is_key_project and total_investment >= {{ projects_var('major_project_min_total_wan') }}
                    then 1
                else 0
            end
        ) as major_project_count,
        sum(case when is_new_capacity then 1 else 0 end) as new_capacity_project_count
    from planned_monthly
    group by region_code, year, month
),

key_list as (
    select project_id, year from planned where is_key_project
),

stage_rows as (
    select
        stage_monthly.region_code,
        stage_monthly.year,
        stage_monthly.month,
        stage_monthly.stage_at_month,
        projects.total_investment,
        plans.annual_plan_latest,
        -- completed in the year: 竣工投产 at the month end with a completion/operation date this year
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
),

stage_measures as (
    select
        region_code,
        year,
        month,
        {%- for stage in stages %}
        sum(case when stage_at_month = '{{ stage }}' then 1 else 0 end) as stage_count_{{ loop.index }},
        sum(case when stage_at_month = '{{ stage }}' then total_investment else 0 end)
            as stage_investment_{{ loop.index }},
        {%- endfor %}
        sum(case when stage_at_month = '开工在建' then coalesce(annual_plan_latest, 0) else 0 end)
            as stage_annual_plan_started,
        sum(case when is_completed_this_year then 1 else 0 end) as completed_project_count,
        sum(case when is_completed_this_year and is_on_key_list then 1 else 0 end) as completed_key_project_count
    from stage_rows
    group by region_code, year, month
),

wide as (
    select
        months.region_code,
        months.year,
        months.month,
        coalesce(plan_measures.key_project_count, 0) as key_project_count,
        coalesce(plan_measures.key_project_new_start_count, 0) as key_project_new_start_count,
        coalesce(plan_measures.key_project_annual_investment, 0) as key_project_annual_investment,
        plan_measures.key_project_annual_plan,
        coalesce(plan_measures.city_key_project_count, 0) as city_key_project_count,
        coalesce(plan_measures.city_key_project_new_start_count, 0) as city_key_project_new_start_count,
        coalesce(plan_measures.city_key_project_annual_investment, 0) as city_key_project_annual_investment,
        coalesce(plan_measures.major_project_count, 0) as major_project_count,
        coalesce(plan_measures.new_capacity_project_count, 0) as new_capacity_project_count,
        {%- for stage in stages %}
        coalesce(stage_measures.stage_count_{{ loop.index }}, 0) as stage_count_{{ loop.index }},
        coalesce(stage_measures.stage_investment_{{ loop.index }}, 0) as stage_investment_{{ loop.index }},
        {%- endfor %}
        coalesce(stage_measures.stage_annual_plan_started, 0) as stage_annual_plan_started,
        coalesce(stage_measures.completed_project_count, 0) as completed_project_count,
        coalesce(stage_measures.completed_key_project_count, 0) as completed_key_project_count
    from months
    left join plan_measures
        on months.region_code = plan_measures.region_code
        and months.year = plan_measures.year
        and months.month = plan_measures.month
    left join stage_measures
        on months.region_code = stage_measures.region_code
        and months.year = stage_measures.year
        and months.month = stage_measures.month
),

{#- (metric_key, value, numerator, denominator) -#}
{%- set metrics = [
    ('key_project_count', 'key_project_count', none, none),
    ('key_project_new_start_count', 'key_project_new_start_count', none, none),
    ('key_project_annual_investment', 'key_project_annual_investment', none, none),
    ('city_key_project_count', 'city_key_project_count', none, none),
    ('city_key_project_new_start_count', 'city_key_project_new_start_count', none, none),
    ('city_key_project_annual_investment', 'city_key_project_annual_investment', none, none),
    ('stage_count:谋划', 'stage_count_1', none, none),
    ('stage_count:储备', 'stage_count_2', none, none),
    ('stage_count:开工在建', 'stage_count_3', none, none),
    ('stage_count:竣工投产', 'stage_count_4', none, none),
    ('stage_investment:谋划', 'stage_investment_1', none, none),
    ('stage_investment:储备', 'stage_investment_2', none, none),
    ('stage_investment:竣工投产', 'stage_investment_4', none, none),
    ('stage_annual_plan:开工在建', 'stage_annual_plan_started', none, none),
    ('completed_project_count', 'completed_project_count', none, none),
    ('completed_key_project_count', 'completed_key_project_count', none, none),
    ('major_project_count', 'major_project_count', none, none),
    ('new_capacity_project_count', 'new_capacity_project_count', none, none),
    ('rate:计划投资完成率',
        'case when key_project_annual_plan > 0 then key_project_annual_investment / key_project_annual_plan end',
        'key_project_annual_investment', 'key_project_annual_plan'),
] %}

long as (
    {%- for key, value, numerator, denominator in metrics %}
    select
        region_code,
        year,
        month,
        '{{ key }}' as metric_key,
        {{ value }} as actual_value,
        {{ numerator if numerator else 'null' }} as numerator,
        {{ denominator if denominator else 'null' }} as denominator
    from wide
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(actual_value as decimal(20, 6)) as actual_value,
        cast(numerator as decimal(20, 6)) as numerator,
        cast(denominator as decimal(20, 6)) as denominator,
        cast('project_data' as {{ dbt.type_string() }}) as actual_source
    from long
)

select * from final
