{#- Use the folder's schema name as is (staging, intermediate, marts, ref) instead of dbt's
    default <target>_<custom>: BI users see stable, short schema names. On a PostgreSQL server the
    published schemas marts and ref are built as build_marts / build_ref; publishing renames them in one
    transaction, so readers never see a half-built mart (xmdw.warehouse.engine.build_schema). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}{{ target.schema }}
    {%- elif target.type == 'postgres' and custom_schema_name | trim in ('marts', 'ref') -%}build_{{ custom_schema_name | trim }}
    {%- else -%}{{ custom_schema_name | trim }}{%- endif -%}
{%- endmacro %}
