{#- The status counts of a group of targets (mart_target_status_summary per region and month, the scorecards per
    lead unit and quarter): one column per status of docs/metrics/targets.md#status, named as the marts publish
    them. `status_column`: status (mart_target_progress) or report_status (mart_report_targets); `as_integer`:
    cast each count to integer (the marts that publish integer counts). An expression list for a select clause,
    in one place so that the marts count the same way. -#}
{% macro target_status_counts(status_column, as_integer=false) -%}
    {%- set columns = [
        ('达标', 'targets_met'),
        ('正常', 'targets_on_track'),
        ('滞后', 'targets_behind'),
        ('严重滞后', 'targets_severely_behind'),
        ('无数据', 'targets_without_data'),
    ] -%}
    {%- for status, column in columns %}
        {% if as_integer %}cast({% endif -%}
        sum(case when {{ status_column }} = '{{ status }}' then 1 else 0 end)
        {%- if as_integer %} as integer){% endif %} as {{ column }}
        {%- if not loop.last %},{% endif %}
    {%- endfor %}
{%- endmacro %}
