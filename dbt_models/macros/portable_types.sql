{#- Types and conversions that differ between engines, one small expression each (adapter.dispatch):
    default__ is DuckDB's (and most engines'), postgres__ where PostgreSQL differs. Everything else uses
    dbt's cross-database macros (dbt.type_string(), dbt.last_day(), dbt.datediff() …). -#}

{#- An 8-byte floating point type. Not dbt.type_float(): that renders a 4-byte FLOAT on DuckDB. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'xmdw')()) }}
{%- endmacro %}

{% macro default__type_double() -%}double{%- endmacro %}

{% macro postgres__type_double() -%}double precision{%- endmacro %}

{#- A double as text the way DuckDB writes it (shortest round-trip digits, '.0' on whole numbers), so that
    lineage texts (figure_sources.source_value) read the same on every engine: PostgreSQL writes 100, not 100.0. -#}
{% macro double_text(expr) -%}
    {{ return(adapter.dispatch('double_text', 'xmdw')(expr)) }}
{%- endmacro %}

{% macro default__double_text(expr) -%}
    cast({{ expr }} as {{ dbt.type_string() }})
{%- endmacro %}

{% macro postgres__double_text(expr) -%}
    case
        when {{ expr }} = trunc({{ expr }}) and abs({{ expr }}) < 1e15
            then cast(cast({{ expr }} as bigint) as {{ dbt.type_string() }}) || '.0'
        else cast({{ expr }} as {{ dbt.type_string() }})
    end
{%- endmacro %}

{#- An expression as text (dbt.type_string(): varchar on DuckDB, text on PostgreSQL, string on Spark). -#}
{% macro as_text(expr) -%}
    cast({{ expr }} as {{ dbt.type_string() }})
{%- endmacro %}

{#- An expression as an 8-byte double. -#}
{% macro as_double(expr) -%}
    cast(({{ expr }}) as {{ type_double() }})
{%- endmacro %}

{#- A double rounded to decimal(precision, scale) the way DuckDB rounds it: half away from zero on the double
    scaled by 10^scale. PostgreSQL's own cast keeps only 15 significant digits first, which turns a quotient
    just under a halfway point (2064.7 / 8000 = 0.25808749999999997 as a double) into a tie and rounds it up;
    its shortest round-trip text of the scaled double is exact, so rounding that text agrees with DuckDB. -#}
{% macro decimal_from_double(expr, precision, scale) -%}
    {{ return(adapter.dispatch('decimal_from_double', 'xmdw')(expr, precision, scale)) }}
{%- endmacro %}

{% macro default__decimal_from_double(expr, precision, scale) -%}
    cast({{ expr }} as decimal({{ precision }}, {{ scale }}))
{%- endmacro %}

{% macro postgres__decimal_from_double(expr, precision, scale) -%}
    cast(
        round(cast(cast(({{ expr }}) * cast(1e{{ scale }} as double precision) as text) as numeric))
        / 1e{{ scale }} as decimal({{ precision }}, {{ scale }})
    )
{%- endmacro %}
