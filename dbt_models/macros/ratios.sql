{#- numerator / denominator as decimal(precision, scale), null unless `when` holds (default: the denominator
    is not 0, so never a division by zero). The one ratio macro of the project; rates use (12, 6), the funds
    area (20, 6). Example: safe_ratio('sum(num)', 'sum(den)'); safe_ratio('done', 'plan', when='plan > 0').
    Portable and equal on every engine: the quotient is computed in double and rounded like DuckDB
    (quotient), and the cast sits outside the CASE (PostgreSQL drops a CASE's precision and scale). -#}
{% macro safe_ratio(numerator, denominator, precision=12, scale=6, when=none) -%}
    cast(
        case
            when {{ when if when else '(' ~ denominator ~ ') <> 0' }}
                then {{ quotient(numerator, denominator, precision, scale) }}
        end as decimal({{ precision }}, {{ scale }})
    )
{%- endmacro %}

{#- numerator / denominator divided in double (as DuckDB divides decimals) and rounded to decimal(precision,
    scale) the same way on every engine. No guard: the caller knows the denominator is not 0. -#}
{% macro quotient(numerator, denominator, precision, scale) -%}
    {{ decimal_from_double(as_double(numerator) ~ ' / ' ~ as_double(denominator), precision, scale) }}
{%- endmacro %}

{#- 1 when a date is known and on or before the cut-off date, else 0 (a null date never counts). -#}
{% macro flag_on_or_before(date_expr, as_of_expr) -%}
    case when {{ date_expr }} is not null and {{ date_expr }} <= {{ as_of_expr }} then 1 else 0 end
{%- endmacro %}
