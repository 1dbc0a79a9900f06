{#- Helpers of the rates area (五率, 招商). Portable SQL only. -#}

{#- numerator / denominator as a fraction, null when the denominator is 0 or null (never a division by zero).
    Example: rates_safe_ratio('sum(num)', 'sum(den)') -#}
{% macro rates_safe_ratio(numerator, denominator, precision=12, scale=6) -%}
    case
        when {{ denominator }} <> 0
            then cast(({{ numerator }}) * 1.0 / ({{ denominator }}) as decimal({{ precision }}, {{ scale }}))
    end
{%- endmacro %}

{#- 1 when a date is known and on or before the cut-off date, else 0 (a null date never counts). -#}
{% macro rates_flag_on_or_before(date_expr, as_of_expr) -%}
    case when {{ date_expr }} is not null and {{ date_expr }} <= {{ as_of_expr }} then 1 else 0 end
{%- endmacro %}

{#- The calendar year of a date as an integer (ANSI EXTRACT: DuckDB, PostgreSQL, Snowflake, BigQuery). -#}
{% macro rates_year_of(date_expr) -%}
    cast(extract(year from {{ date_expr }}) as integer)
{%- endmacro %}
