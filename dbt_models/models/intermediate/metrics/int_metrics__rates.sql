-- Metric long form of the rates area (五率 + 招商) for target binding: one row per region x year x
-- report month x metric_key, value as of the month end. It reshapes the two rates marts so that a
-- metric has exactly one definition (the mart's); a month without any cohort member still gets a
-- row (numerator 0, denominator 0, value null for a rate).
-- Definitions: docs/metrics/rates.md#metric-keys
with

months as (
    select region_code, year, month from {{ ref('int_report_months') }}
),

five_rates as (
    select * from {{ ref('mart_five_rates') }}
    where scope = 'region' and metric_key is not null
),

attraction as (
    select * from {{ ref('mart_investment_attraction') }}
),

rate_keys as (
    select 'rate:招商引资落地率' as metric_key
    union all
    select 'rate:前期手续办结率@county_new_start_key' as metric_key
    union all
    select 'rate:前期手续办结率@city_new_start_key' as metric_key
    union all
    select 'rate:储备项目开工率@county_new_start_key' as metric_key
    union all
    select 'rate:储备项目开工率@city_new_start_key' as metric_key
    union all
    select 'rate:竣工投产达效率' as metric_key
),

rate_values as (
    select
        months.region_code,
        months.year,
        months.month,
        rate_keys.metric_key,
        five_rates.rate as actual_value,
        coalesce(five_rates.numerator, 0) as numerator,
        coalesce(five_rates.denominator, 0) as denominator
    from months
    cross join rate_keys
    left join five_rates
        on months.region_code = five_rates.region_code
        and months.year = five_rates.year
        and months.month = five_rates.month
        and rate_keys.metric_key = five_rates.metric_key
),

attraction_values as (
    select
        months.region_code, months.year, months.month,
        'attraction_signed_total' as metric_key,
        coalesce(attraction.signed_total_wan, 0) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator
    from months
    left join attraction
        on months.region_code = attraction.region_code
        and months.year = attraction.year
        and months.month = attraction.month
    union all
    select
        months.region_code, months.year, months.month,
        'attraction_out_of_province_total' as metric_key,
        coalesce(attraction.out_of_province_total_wan, 0) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator
    from months
    left join attraction
        on months.region_code = attraction.region_code
        and months.year = attraction.year
        and months.month = attraction.month
    union all
    select
        months.region_code, months.year, months.month,
        'attraction_foreign_capital_usd' as metric_key,
        coalesce(attraction.foreign_capital_usd, 0) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator
    from months
    left join attraction
        on months.region_code = attraction.region_code
        and months.year = attraction.year
        and months.month = attraction.month
    union all
    -- growth = (this year's − prior year's same-period funds) / prior year's same-period funds
    select
        months.region_code, months.year, months.month,
        'attraction_domestic_capital_growth' as metric_key,
        attraction.domestic_capital_growth as actual_value,
        case
            when attraction.prior_year_deals_same_period > 0
                then attraction.domestic_capital_wan - attraction.domestic_capital_prior_year_wan
        end as numerator,
        case
            when attraction.prior_year_deals_same_period > 0 then attraction.domestic_capital_prior_year_wan
        end as denominator
    from months
    left join attraction
        on months.region_code = attraction.region_code
        and months.year = attraction.year
        and months.month = attraction.month
),

unioned as (
    select * from rate_values
    union all
    select * from attraction_values
),

final as (
    select
        cast(region_code as {{ dbt.type_string() }}) as region_code,
        cast(year as {{ dbt.type_int() }}) as year,
        cast(month as {{ dbt.type_int() }}) as month,
        cast(metric_key as {{ dbt.type_string() }}) as metric_key,
        cast(actual_value as decimal(20, 6)) as actual_value,
        cast(numerator as decimal(20, 6)) as numerator,
        cast(denominator as decimal(20, 6)) as denominator,
        cast('project_data' as {{ dbt.type_string() }}) as actual_source
    from unioned
)

select * from final
