-- Project-data metrics of the `projects` area in long form for target binding: one row per region x year
-- x report month x metric_key, value as of the end of the month (YTD for amounts and flows, stock for
-- counts of lists and stages). Basis: dispatch figures (DISPATCH). Cohorts and definitions:
-- docs/metrics/projects.md#metric-keys
{%- set stages = ['谋划', '储备', '开工在建', '竣工投产'] %}
with

months as (
    select region_code, year, month, as_of_date from {{ ref('int_report_months') }}
),

city_list as (
    select * from {{ ref('int_four_batches_city_list') }}
),

-- 计划投资完成率 of the key-project list, from the one computation (int_plan_completion)
key_completion as (
    select * from {{ ref('int_plan_completion') }}
    where cohort = 'all_key' and dimension = 'region'
),

-- the year's plan list at each month: every project with an annual plan for the year (latest version)
planned_monthly as (
    select
        region_code,
        year,
        month,
        is_key_project,
        is_city_key_project,
        is_new_capacity,
        annual_plan_latest,
        total_investment,
        ytd_completed,
        coalesce(plan_category = '新开工' and actual_start_date <= as_of_date, false) as is_new_start_started
    from {{ ref('int_planned_project_months') }}
),

plan_measures as (
    select
        region_code,
        year,
        month,
        sum(case when is_key_project then 1 else 0 end) as key_project_count,
        sum(case when is_key_project and is_new_start_started then 1 else 0 end) as key_project_new_start_count,
        sum(case when is_key_project then ytd_completed else 0 end) as key_project_annual_investment,
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

stage_rows as (
    select * from {{ ref('int_project_stage_rows') }}
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

-- the city-assigned 四个一批 task (int_four_batches_city_list): what ZB2024-019..026 are measured on
city_batch_measures as (
    select
        region_code,
        year,
        month,
        sum(case when in_city_batch_conceived then 1 else 0 end) as city_batch_count_conceived,
        sum(case when in_city_batch_conceived then total_investment else 0 end) as city_batch_investment_conceived,
        sum(case when in_city_batch_reserve then 1 else 0 end) as city_batch_count_reserve,
        sum(case when in_city_batch_reserve then total_investment else 0 end) as city_batch_investment_reserve,
        sum(case when in_city_batch_started then 1 else 0 end) as city_batch_count_started,
        sum(case when in_city_batch_started then coalesce(annual_plan_initial, 0) else 0 end)
            as city_batch_annual_plan_started,
        sum(case when in_city_batch_started then coalesce(annual_plan_latest, 0) else 0 end)
            as city_batch_annual_plan_latest_started,
        sum(case when in_city_batch_completed then 1 else 0 end) as city_batch_count_completed,
        sum(case when in_city_batch_completed then total_investment else 0 end) as city_batch_investment_completed
    from city_list
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
        coalesce(stage_measures.completed_key_project_count, 0) as completed_key_project_count,
        coalesce(city_batch_measures.city_batch_count_conceived, 0) as city_batch_count_conceived,
        coalesce(city_batch_measures.city_batch_investment_conceived, 0) as city_batch_investment_conceived,
        coalesce(city_batch_measures.city_batch_count_reserve, 0) as city_batch_count_reserve,
        coalesce(city_batch_measures.city_batch_investment_reserve, 0) as city_batch_investment_reserve,
        coalesce(city_batch_measures.city_batch_count_started, 0) as city_batch_count_started,
        coalesce(city_batch_measures.city_batch_annual_plan_started, 0) as city_batch_annual_plan_started,
        coalesce(city_batch_measures.city_batch_annual_plan_latest_started, 0)
            as city_batch_annual_plan_latest_started,
        coalesce(city_batch_measures.city_batch_count_completed, 0) as city_batch_count_completed,
        coalesce(city_batch_measures.city_batch_investment_completed, 0) as city_batch_investment_completed,
        key_completion.completion_ratio_initial,
        key_completion.ytd_completed_initial_wan,
        key_completion.annual_plan_initial_wan,
        key_completion.completion_ratio,
        key_completion.ytd_completed_wan as key_ytd_completed_wan,
        key_completion.annual_plan_latest_wan
    from months
    left join plan_measures
        on months.region_code = plan_measures.region_code
        and months.year = plan_measures.year
        and months.month = plan_measures.month
    left join stage_measures
        on months.region_code = stage_measures.region_code
        and months.year = stage_measures.year
        and months.month = stage_measures.month
    left join city_batch_measures
        on months.region_code = city_batch_measures.region_code
        and months.year = city_batch_measures.year
        and months.month = city_batch_measures.month
    left join key_completion
        on months.region_code = key_completion.region_code
        and months.year = key_completion.year
        and months.month = key_completion.month
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
    ('city_batch_count:谋划', 'city_batch_count_conceived', none, none),
    ('city_batch_investment:谋划', 'city_batch_investment_conceived', none, none),
    ('city_batch_count:储备', 'city_batch_count_reserve', none, none),
    ('city_batch_investment:储备', 'city_batch_investment_reserve', none, none),
    ('city_batch_count:开工在建', 'city_batch_count_started', none, none),
    ('city_batch_annual_plan:开工在建', 'city_batch_annual_plan_started', none, none),
    ('city_batch_annual_plan_latest:开工在建', 'city_batch_annual_plan_latest_started', none, none),
    ('city_batch_count:竣工投产', 'city_batch_count_completed', none, none),
    ('city_batch_investment:竣工投产', 'city_batch_investment_completed', none, none),
    ('rate:计划投资完成率', 'completion_ratio_initial',
        'coalesce(ytd_completed_initial_wan, 0)', 'coalesce(annual_plan_initial_wan, 0)'),
    ('rate:计划投资完成率@latest_plan', 'completion_ratio',
        'coalesce(key_ytd_completed_wan, 0)', 'coalesce(annual_plan_latest_wan, 0)'),
] %}

long as (
    {%- for key, value, numerator, denominator in metrics %}
    select
        region_code,
        year,
        month,
        {{ metric_long_values(key, value, numerator, denominator) }}
    from wide
    {% if not loop.last %}union all{% endif %}
    {%- endfor %}
),

final as (
    select
        {{ metric_long_columns("'project_data'") }}
    from long
)

select * from final
