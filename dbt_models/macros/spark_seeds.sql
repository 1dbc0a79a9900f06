{#- Seeds on Spark. dbt-spark's session method binds seed values by Python string formatting: it does not escape
    an apostrophe (a seed cell with one fails to parse) and writes an empty cell as the string 'None' (so
    `parent_code is null` is false and mart_plan_conflicts found 133 conflicts instead of 8). Here every value is
    written as an escaped SQL literal instead: NULL for an empty cell, numbers as they are, everything else as a
    quoted string (backslash and apostrophe escaped the way Spark SQL reads them), cast to the column's type. -#}
{% macro spark__load_csv_rows(model, agate_table) %}
  {% set batch_size = get_batch_size() %}
  {% set column_override = model['config'].get('column_types', {}) %}
  {% set types = [] %}
  {% for col_name in agate_table.column_names %}
    {% do types.append(column_override.get(col_name, adapter.convert_type(agate_table, loop.index0))) %}
  {% endfor %}

  {% set statements = [] %}
  {% for chunk in agate_table.rows | batch(batch_size) %}
    {% set sql %}
      insert into {{ this.render() }} values
      {% for row in chunk -%}
        ({%- for value in row -%}
          cast({{ spark_seed_literal(value) }} as {{ types[loop.index0] }})
          {%- if not loop.last %}, {% endif -%}
        {%- endfor -%})
        {%- if not loop.last %},{% endif %}
      {% endfor %}
    {% endset %}
    {% do adapter.add_query(sql, abridge_sql_log=True) %}
    {% if loop.index0 == 0 %}{% do statements.append(sql) %}{% endif %}
  {% endfor %}

  {# the SQL of the first batch is what dbt shows as the compiled seed #}
  {{ return(statements[0]) }}
{% endmacro %}

{#- One seed cell as a Spark SQL literal. -#}
{% macro spark_seed_literal(value) -%}
  {%- if value is none -%}null
  {%- elif value is sameas true or value is sameas false -%}{{ 'true' if value else 'false' }}
  {%- elif value is number -%}{{ value }}
  {%- else -%}'{{ value | string | replace('\\', '\\\\') | replace("'", "\\'") }}'
  {%- endif -%}
{%- endmacro %}
