{#- numerator / denominator as a fraction, null when the denominator is 0 or null (never a division by zero).
    The one ratio macro of the project; precision/scale of the decimal it returns (rates use (12, 6), the
    funds area (20, 6)). Example: safe_ratio('sum(num)', 'sum(den)'). Portable SQL. -#}
{% macro safe_ratio(numerator, denominator, precision=12, scale=6) -%}
    case
        when ({{ denominator }}) <> 0
            then cast(({{ numerator }}) * 1.0 / ({{ denominator }}) as decimal({{ precision }}, {{ scale }}))
    end
{%- endmacro %}

{#- 1 when a date is known and on or before the cut-off date, else 0 (a null date never counts). -#}
{% macro flag_on_or_before(date_expr, as_of_expr) -%}
    case when {{ date_expr }} is not null and {{ date_expr }} <= {{ as_of_expr }} then 1 else 0 end
{%- endmacro %}
