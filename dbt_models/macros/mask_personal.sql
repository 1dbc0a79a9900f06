{#- Personal data (个人信息: 联系人, 联系电话, 身份证号, 填报人) as staging exposes it, masked, so that no model
    and no published table holds it in clear (raw keeps the original for the data manager). `kind` is the
    contract column's `personal` attribute:
      name       张三丰 -> 张**            (first character, one * per remaining character)
      phone      13812345678 -> 138****5678  (first 3, ****, last 4; shorter than 8 characters -> ***)
      id_number  610101199001011234 -> 610101********1234  (first 6, 8 *, last 4; shorter than 15 -> ***)
      any other kind -> ***
    Blank stays null. Portable: substr, length, repeat, right and || exist on DuckDB, PostgreSQL and Spark. -#}
{% macro mask_personal(expr, kind) -%}
    {%- set v = "nullif(trim(cast(" ~ expr ~ " as " ~ dbt.type_string() ~ ")), '')" -%}
    case
        when {{ v }} is null then null
    {%- if kind == 'name' %}
        else substr({{ v }}, 1, 1) || repeat('*', length({{ v }}) - 1)
    {%- elif kind == 'phone' %}
        when length({{ v }}) >= 8 then substr({{ v }}, 1, 3) || '****' || right({{ v }}, 4)
        else '***'
    {%- elif kind == 'id_number' %}
        when length({{ v }}) >= 15 then substr({{ v }}, 1, 6) || '********' || right({{ v }}, 4)
        else '***'
    {%- else %}
        else '***'
    {%- endif %}
    end
{%- endmacro %}
