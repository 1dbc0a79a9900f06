-- 发布数字一览 — one row per headline figure (target x region x month, region x month completion, 五率
-- headline cohort x region x month) with its published value and the sum of its parts in figure_sources:
-- `reconciles` says the parts add up to the figure. It is also what a publish snapshots for `xmdw diff`.
-- Definitions: docs/reports.md#traceability
{%- set traced_target_keys = [
    'key_project_count', 'city_key_project_count', 'major_project_count', 'new_capacity_project_count',
    'key_project_new_start_count', 'city_key_project_new_start_count', 'key_project_annual_investment',
    'city_key_project_annual_investment', 'stage_count:谋划', 'stage_count:储备', 'stage_count:开工在建',
    'stage_count:竣工投产', 'stage_investment:谋划', 'stage_investment:储备', 'stage_investment:竣工投产',
    'stage_annual_plan:开工在建', 'completed_project_count', 'completed_key_project_count',
    'city_batch_count:谋划', 'city_batch_count:储备', 'city_batch_count:开工在建', 'city_batch_count:竣工投产',
    'city_batch_investment:谋划', 'city_batch_investment:储备', 'city_batch_investment:竣工投产',
    'city_batch_annual_plan:开工在建', 'city_batch_annual_plan_latest:开工在建',
    'rate:计划投资完成率', 'rate:计划投资完成率@latest_plan', 'rate:招商引资落地率', 'rate:竣工投产达效率',
    'rate:前期手续办结率@county_new_start_key', 'rate:前期手续办结率@city_new_start_key',
    'rate:储备项目开工率@county_new_start_key', 'rate:储备项目开工率@city_new_start_key',
] %}
with

figures as (
    select
        'target' as figure_kind,
        target_id as figure_id,
        region_code,
        plan_year as year,
        month,
        indicator_zh as label_zh,
        metric_key,
        unit,
        actual_value as value,
        numerator,
        denominator,
        (
            metric_key in ({% for key in traced_target_keys %}'{{ key }}'{% if not loop.last %}, {% endif %}{% endfor %})
            or metric_key like 'indicator_report:%'
        ) as is_traced
    from {{ ref('mart_target_progress') }}
    union all
    select
        'region_completion', 'region_completion', region_code, year, month,
        '计划投资完成率（全部计划项目）', {{ as_text('null') }}, 'ratio',
        completion_ratio, ytd_completed_wan, annual_plan_wan, true
    from {{ ref('mart_region_monthly_investment') }}
    union all
    select
        'five_rate', rate_name || '/' || cohort || '/' || variant, region_code, year, month,
        rate_name || '（'
        || case cohort
            when 'signed_in_year' then '本年签约项目'
            when 'signed_prior_year' then '上年签约项目'
            when 'county_new_start_key' then '县级新开工重点项目'
            when 'city_new_start_key' then '市级新开工重点项目'
            when 'all_new_start' then '全部新开工项目'
            when 'all_key' then '全部重点项目'
            when 'city_key' then '市级以上重点项目'
            when 'all_planned' then '全部计划项目'
            when 'all_due_completion' then '年内应竣工项目'
            when 'key_due_completion' then '年内应竣工重点项目'
            else cohort
        end || '）',
        metric_key, 'ratio', rate, numerator, denominator, true
    from {{ ref('mart_five_rates') }}
    where scope = 'region' and is_primary
),

sums as (
    select
        figure_kind,
        figure_id,
        region_code,
        year,
        month,
        count(distinct member_id) as members,
        count(*) as source_rows,
        sum(numerator_part) as numerator_sum,
        sum(denominator_part) as denominator_sum,
        sum(value_part) as value_sum
    from {{ ref('figure_sources') }}
    group by figure_kind, figure_id, region_code, year, month
),

final as (
    select
        {{ as_text('figures.figure_kind') }} as figure_kind,
        {{ as_text('figures.figure_id') }} as figure_id,
        {{ as_text('figures.region_code') }} as region_code,
        cast(figures.year as integer) as year,
        cast(figures.month as integer) as month,
        {{ as_text('figures.label_zh') }} as label_zh,
        {{ as_text('figures.metric_key') }} as metric_key,
        {{ as_text('figures.unit') }} as unit,
        cast(figures.value as decimal(20, 6)) as value,
        cast(figures.numerator as decimal(20, 6)) as numerator,
        cast(figures.denominator as decimal(20, 6)) as denominator,
        figures.is_traced,
        coalesce(sums.members, 0) as members,
        coalesce(sums.source_rows, 0) as source_rows,
        cast(sums.numerator_sum as decimal(20, 6)) as numerator_sum,
        cast(sums.denominator_sum as decimal(20, 6)) as denominator_sum,
        cast(sums.value_sum as decimal(20, 6)) as value_sum,
        case
            when not figures.is_traced then null
            -- a ratio figure: numerator and denominator are both the sums of their parts
            when figures.numerator is not null or figures.denominator is not null then
                abs(coalesce(figures.numerator, 0) - coalesce(sums.numerator_sum, 0)) < 0.0001
                and abs(coalesce(figures.denominator, 0) - coalesce(sums.denominator_sum, 0)) < 0.0001
            -- a count or an amount: the value is the sum of its parts
            else abs(coalesce(figures.value, 0) - coalesce(sums.value_sum, 0)) < 0.0001
        end as reconciles
    from figures
    left join sums
        on figures.figure_kind = sums.figure_kind
        and figures.figure_id = sums.figure_id
        and figures.region_code = sums.region_code
        and figures.year = sums.year
        and figures.month = sums.month
)

select * from final
