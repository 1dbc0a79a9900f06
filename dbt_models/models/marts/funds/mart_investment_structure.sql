-- 投资结构 from the statistics bureau's releases only (fai_aggregates, 法定数据): one row per region,
-- year, report month and indicator with the published level, growth and share. Nothing is recomputed
-- from the units' dispatch figures. Shares the targets need but the bureau did not publish are derived
-- from two published levels of the same release and flagged (share_source = 'derived'); indicators that
-- exist only as such a ratio (民间投资在社会资本投资中的占比) are extra rows with is_derived_indicator.
-- Definitions: docs/metrics/funds.md#mart-investment-structure
{%- set derivable = funds_var('fai_derivable_share_codes') %}
{%- set derived_indicators = funds_var('fai_derived_indicators') %}
with

releases as (
    select * from {{ ref('stg_raw__fai_aggregates') }}
),

report_months as (
    select month, label_zh from {{ ref('dim_report_month') }}
),

regions as (
    select region_code, name_zh as region_name from {{ ref('dim_region') }}
),

totals as (
    select region_code, year, month, value as total_value
    from releases
    where indicator_code = '{{ funds_var("fai_total_code") }}'
),

-- a share the bureau did not publish, derived from the indicator's level and total FAI of the same release
with_derived_share as (
    select
        releases.*,
        totals.total_value,
        {%- if derivable %}
        case
            when releases.indicator_code in ('{{ derivable | join("', '") }}')
                then {{ safe_ratio('releases.value', 'totals.total_value', 20) }}
        end as derived_share
        {%- else %}
        cast(null as decimal(20, 6)) as derived_share
        {%- endif %}
    from releases
    left join totals
        on releases.region_code = totals.region_code
        and releases.year = totals.year
        and releases.month = totals.month
),

published as (
    select
        region_code,
        year,
        month,
        indicator_code,
        coalesce(indicator_name, {{ fai_indicator_name_fallback('indicator_code') }}) as indicator_name_zh,
        value as value_wan,
        yoy_growth,
        coalesce(share, derived_share) as share,
        case when share is not null then 'published' when derived_share is not null then 'derived' end
            as share_source,
        case when share is null and derived_share is not null then value end as share_numerator_wan,
        case when share is null and derived_share is not null then total_value end as share_denominator_wan,
        case
            when share is null and derived_share is null then null
            {%- for d in derived_indicators %}
            when indicator_code = '{{ d.code }}' then '{{ d.denominator }}'
            {%- endfor %}
            else '{{ funds_var("fai_total_code") }}'
        end as share_base_code,
        false as is_derived_indicator,
        source_file,
        source_row
    from with_derived_share
),

derived as (
    {%- for d in derived_indicators %}
    select
        numerators.region_code,
        numerators.year,
        numerators.month,
        '{{ d.code }}' as indicator_code,
        '{{ d.name_zh }}' as indicator_name_zh,
        cast(null as decimal(18, 4)) as value_wan,
        cast(null as decimal(12, 6)) as yoy_growth,
        {{ safe_ratio('numerators.value', 'denominators.value', 20) }} as share,
        'derived' as share_source,
        numerators.value as share_numerator_wan,
        denominators.value as share_denominator_wan,
        '{{ d.denominator }}' as share_base_code,
        true as is_derived_indicator,
        numerators.source_file,
        numerators.source_row
    from releases as numerators
    inner join releases as denominators
        on numerators.region_code = denominators.region_code
        and numerators.year = denominators.year
        and numerators.month = denominators.month
        and denominators.indicator_code = '{{ d.denominator }}'
    where numerators.indicator_code = '{{ d.numerator }}'
        and {{ safe_ratio('numerators.value', 'denominators.value', 20) }} is not null
        -- a ratio the bureau publishes itself is used as published
        and not exists (
            select 1 from releases as own
            where own.region_code = numerators.region_code
                and own.year = numerators.year
                and own.month = numerators.month
                and own.indicator_code = '{{ d.code }}'
        )
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
    {%- if not derived_indicators %}
    select * from published where false
    {%- endif %}
),

combined as (
    select * from published
    union all
    select * from derived
),

final as (
    select
        combined.region_code,
        regions.region_name,
        combined.year,
        combined.month,
        report_months.label_zh as period_label,
        combined.indicator_code,
        combined.indicator_name_zh,
        cast(combined.value_wan as decimal(18, 4)) as value_wan,
        cast(combined.yoy_growth as decimal(12, 6)) as yoy_growth,
        cast(combined.share as decimal(12, 6)) as share,
        combined.share_source,
        cast(combined.share_numerator_wan as decimal(18, 4)) as share_numerator_wan,
        cast(combined.share_denominator_wan as decimal(18, 4)) as share_denominator_wan,
        combined.share_base_code,
        combined.is_derived_indicator,
        'STATS' as basis,
        combined.source_file,
        combined.source_row
    from combined
    left join regions on combined.region_code = regions.region_code
    left join report_months on combined.month = report_months.month
)

select * from final
