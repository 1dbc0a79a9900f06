{#- First and last day of a (year, month) given as integer expressions. Portable (DuckDB, PostgreSQL). -#}
{% macro month_start(year, month) -%}
    cast(cast({{ year }} as varchar) || '-' || lpad(cast({{ month }} as varchar), 2, '0') || '-01' as date)
{%- endmacro %}

{% macro month_end(year, month) -%}
    cast({{ dbt.last_day(month_start(year, month), 'month') }} as date)
{%- endmacro %}
