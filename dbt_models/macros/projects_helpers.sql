{#- Helpers of the `projects` area (project progress, 蜗牛项目, 四个一批). Definitions: docs/metrics/projects.md -#}

{#- A tunable threshold of the projects area: `--vars '{snail_pace_tolerance: 0.25}'` overrides it; the
    defaults live here, in one place, so that no threshold is a literal in the SQL. -#}
{% macro projects_var(name) -%}
    {%- set defaults = {
        'snail_key_projects_only': true,
        'snail_start_grace_months': 1,
        'snail_pace_tolerance': 0.2,
        'snail_late_year_month': 9,
        'snail_late_year_min_ratio': 0.5,
        'snail_missing_report_months': 2,
        'major_project_min_total_wan': 50000,
        'stats_min_total_wan': 500,
    } -%}
    {%- if name not in defaults -%}
        {{ exceptions.raise_compiler_error('projects_var: unknown variable ' ~ name) }}
    {%- endif -%}
    {{ return(var(name, defaults[name])) }}
{%- endmacro %}

{#- 四个一批 stage of a project (columns of int_projects_enriched under `alias`) at a date: the same rule as
    int_project_stage_monthly (调出 as registered; 竣工投产 from the completion/operation date; 开工在建
    from the actual start date; a started project counts as 储备 before its start; 谋划/储备 as
    registered). Used for the stage at the end of the previous year, which the monthly spine lacks. -#}
{% macro projects_stage_at(alias, as_of_date) -%}
    case
        when {{ alias }}.stage = '调出' then '调出'
        when {{ alias }}.completed_date <= {{ as_of_date }} then '竣工投产'
        when {{ alias }}.actual_start_date <= {{ as_of_date }} then '开工在建'
        when {{ alias }}.stage in ('谋划', '储备') then {{ alias }}.stage
        when {{ alias }}.stage in ('开工在建', '竣工投产') then '储备'
        else {{ alias }}.stage
    end
{%- endmacro %}

{#- A fraction rendered as a percentage with one decimal for Chinese reason texts: 0.1234 -> '12.3%'. -#}
{% macro projects_pct_text(expr) -%}
    cast(cast(round({{ expr }} * 100, 1) as decimal(12, 1)) as {{ dbt.type_string() }}) || '%'
{%- endmacro %}
