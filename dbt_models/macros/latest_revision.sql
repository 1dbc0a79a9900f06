{#- Latest revision of every natural key of an append-only raw table.
    A corrected resubmission adds rows with a higher _revision; staging keeps only the newest.
    Portable: a window function in a subquery (no QUALIFY). -#}
{% macro latest_revision(relation, natural_key) -%}
    select * from (
        select
            src.*,
            row_number() over (
                partition by {{ natural_key | join(', ') }}
                order by _revision desc
            ) as _revision_rank
        from {{ relation }} as src
    ) as ranked
    where _revision_rank = 1
{%- endmacro %}
