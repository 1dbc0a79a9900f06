{#- Whether `actual` meets `target` under the plan's comparator:
    >= 以上/不少于, > 突破/超过, ~ 左右 (at least target − tolerance: exceeding a growth target is not a
    failure), = exact, <= at most. Null actual -> null. -#}
{% macro target_met(actual, target, comparator, tolerance) -%}
    case
        when {{ actual }} is null then null
        when {{ comparator }} = '>=' then {{ actual }} >= {{ target }}
        when {{ comparator }} = '>' then {{ actual }} > {{ target }}
        when {{ comparator }} = '~' then {{ actual }} >= {{ target }} - {{ tolerance }}
        when {{ comparator }} = '=' then {{ actual }} = {{ target }}
        when {{ comparator }} = '<=' then {{ actual }} <= {{ target }}
    end
{%- endmacro %}
