{#- The texts of a group joined by `delimiter` in the order of `order_by` (nulls left out; null when none), e.g.
    ordered_text_agg("project_name", "'、'", "due_date, project_name"). DuckDB and PostgreSQL write the order inside
    string_agg; Spark has no ORDER BY there and takes it as listagg(…) WITHIN GROUP (ORDER BY …) (Spark 4). -#}
{% macro ordered_text_agg(expr, delimiter, order_by) -%}
    {{ return(adapter.dispatch('ordered_text_agg', 'xmdw')(expr, delimiter, order_by)) }}
{%- endmacro %}

{% macro default__ordered_text_agg(expr, delimiter, order_by) -%}
    string_agg({{ expr }}, {{ delimiter }} order by {{ order_by }})
{%- endmacro %}

{% macro spark__ordered_text_agg(expr, delimiter, order_by) -%}
    listagg({{ expr }}, {{ delimiter }}) within group (order by {{ order_by }})
{%- endmacro %}
