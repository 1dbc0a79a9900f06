{#- Run after every table and seed is built (dbt_project.yml post-hook). On PostgreSQL: ANALYZE it, so the planner
    knows its size and values. Autovacuum never analyzes a table under 50 rows, and an unanalyzed 11-row seed was
    planned as 1 450 rows: mart_fund_deadlines then looked like a 2-million-row join and spent 9 s compiling JIT
    code for a 30 ms query. Nothing elsewhere (DuckDB keeps its statistics as it writes). -#}
{% macro analyze_after_build(relation) -%}
    {{ return(adapter.dispatch('analyze_after_build', 'xmdw')(relation)) }}
{%- endmacro %}

{% macro default__analyze_after_build(relation) -%}{%- endmacro %}

{% macro postgres__analyze_after_build(relation) -%}
    analyze {{ relation }}
{%- endmacro %}
