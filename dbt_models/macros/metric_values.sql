{#- The columns of the metric long form (int_metrics__* unioned into int_metric_values), typed the same in every
    subject area so that the union keeps them: region, year, month, metric_key, value, numerator, denominator and
    where the value comes from. `actual_source`: a column or a quoted literal. An expression list for `final`. -#}
{% macro metric_long_columns(actual_source='actual_source') -%}
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(year as {{ dbt.type_int() }}) as year,
        cast(month as {{ dbt.type_int() }}) as month,
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(actual_value as decimal(20, 6)) as actual_value,
        cast(numerator as decimal(20, 6)) as numerator,
        cast(denominator as decimal(20, 6)) as denominator,
        cast({{ actual_source }} as {{ dbt.type_string() }}) as actual_source
{%- endmacro %}

{#- One metric of a wide row as the long form's metric_key, value, numerator and denominator (null when not
    given), each cast in every branch of a union: a union takes the first branch's type (4 decimals would cut a
    rate). An expression list for a select clause. -#}
{% macro metric_long_values(key, value, numerator=none, denominator=none) -%}
        '{{ key }}' as metric_key,
        cast({{ value }} as decimal(20, 6)) as actual_value,
        cast({{ numerator if numerator else 'null' }} as decimal(20, 6)) as numerator,
        cast({{ denominator if denominator else 'null' }} as decimal(20, 6)) as denominator
{%- endmacro %}
