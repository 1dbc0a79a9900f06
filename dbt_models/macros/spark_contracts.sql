{#- Model contracts on Spark. dbt checks a contract by comparing the model's columns with an empty query that
    casts null to each YAML data_type; the generated staging contracts (xmdw contract-render) name `text`, which
    DuckDB and PostgreSQL accept and Spark does not. Spark's names for the same types are used in that query
    only; the comparison itself stays dbt's. -#}
{% macro spark__get_empty_schema_sql(columns) %}
    {%- set spark_columns = {} -%}
    {%- for name in columns -%}
        {%- set column = columns[name].copy() -%}
        {%- if column.get('data_type') is not none -%}
            {%- do column.update({'data_type': spark_type_name(column['data_type'])}) -%}
        {%- endif -%}
        {%- do spark_columns.update({name: column}) -%}
    {%- endfor -%}
    {{ return(dbt.default__get_empty_schema_sql(spark_columns)) }}
{% endmacro %}

{#- A type name of DuckDB or PostgreSQL as Spark spells it (others unchanged). -#}
{% macro spark_type_name(data_type) -%}
    {%- set normal = data_type | trim | lower -%}
    {%- if normal in ('text', 'varchar', 'character varying') -%}string
    {%- elif normal == 'double precision' -%}double
    {%- else -%}{{ data_type }}
    {%- endif -%}
{%- endmacro %}
