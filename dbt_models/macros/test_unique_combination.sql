{#- Generic test: no two rows share the same combination of `columns` (a composite key).
    Written here because dbt_utils cannot be installed offline. -#}
{% test unique_combination(model, columns) %}
select {{ columns | join(', ') }}, count(*) as n_rows
from {{ model }}
group by {{ columns | join(', ') }}
having count(*) > 1
{% endtest %}
