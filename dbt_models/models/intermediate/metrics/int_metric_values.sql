-- Every measured value a plan target can bind to, one row per region x year x report month x metric_key:
-- project-data metrics, the statistics bureau's aggregates and the lead units' indicator reports.
with

unioned as (
    {% for model in var('metric_models') %}
    select region_code, year, month, metric_key, actual_value, numerator, denominator, actual_source
    from {{ ref(model) }}
    {% if not loop.last %}union all{% endif %}
    {% endfor %}
)

select * from unioned
