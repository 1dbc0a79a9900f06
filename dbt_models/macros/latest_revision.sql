{#- Latest revision of every natural key of an append-only raw table.
    A corrected resubmission adds rows with a higher _revision; staging keeps only the newest.
    With `entity`, rows the data-quality checks hold back (fatal row-level rules, written to
    raw.dq_excluded_rows on every run) are left out until a corrected resubmission supersedes them;
    the superseded revision is not brought back (see docs/data_quality.md).
    Portable: a window function in a subquery (no QUALIFY), NOT EXISTS for the anti-join. -#}
{% macro latest_revision(relation, natural_key, entity=none) -%}
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
    {%- if entity %}
        and not exists (
            select 1
            from {{ source('raw', 'dq_excluded_rows') }} as excluded
            where excluded.entity = '{{ entity }}'
                and excluded._file_id = ranked._file_id
                and (excluded._sheet = ranked._sheet or (excluded._sheet is null and ranked._sheet is null))
                and excluded._source_row = ranked._source_row
        )
    {%- endif %}
{%- endmacro %}
