{#- Coverage of a headline figure (docs/metrics/coverage.md). The 数据说明 line printed under a figure
    that is incomplete: "<n>个项目本月未报送…，<k>行数据已退回修改"; NULL when nothing is missing.
    missing: members expected without data; held: rows held back or rejected; missing_text: the Chinese
    phrase after the missing count (it names the members: 个项目…, 个签约项目…). Portable SQL. -#}
{% macro coverage_note_zh(missing, held, missing_text) -%}
    case
        when coalesce({{ missing }}, 0) = 0 and coalesce({{ held }}, 0) = 0 then null
        when coalesce({{ held }}, 0) = 0
            then cast({{ missing }} as {{ dbt.type_string() }}) || {{ missing_text }}
        when coalesce({{ missing }}, 0) = 0
            then cast({{ held }} as {{ dbt.type_string() }}) || '行数据已退回修改'
        else cast({{ missing }} as {{ dbt.type_string() }}) || {{ missing_text }} || '，'
            || cast({{ held }} as {{ dbt.type_string() }}) || '行数据已退回修改'
    end
{%- endmacro %}
