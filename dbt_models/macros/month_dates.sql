{#- Date helpers. Portable (DuckDB, PostgreSQL): ANSI EXTRACT and dbt's cross-database last_day. -#}

{#- First and last day of a (year, month) given as integer expressions. -#}
{% macro month_start(year, month) -%}
    cast({{ as_text(year) }} || '-' || lpad({{ as_text(month) }}, 2, '0') || '-01' as date)
{%- endmacro %}

{% macro month_end(year, month) -%}
    cast({{ dbt.last_day(month_start(year, month), 'month') }} as date)
{%- endmacro %}

{#- Calendar year / month of a date as integers. -#}
{% macro year_of(date_expr) -%}
    cast(extract(year from {{ date_expr }}) as integer)
{%- endmacro %}

{% macro month_of(date_expr) -%}
    cast(extract(month from {{ date_expr }}) as integer)
{%- endmacro %}
