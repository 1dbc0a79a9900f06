-- Metric long form of the rates area (五率 + 招商) for target binding: one row per region x year x
-- report month x metric_key, value as of the month end. Rates are the keyed region rows of int_rate_values
-- (the same rows mart_five_rates publishes; the keys are those of seeds/dim_rate, 计划投资完成率 excepted: it is
-- bound in int_metrics__projects); amounts and the growth come from int_investment_attraction. A month without
-- any cohort member still gets a row (numerator 0, denominator 0, value null for a rate).
-- Definitions: docs/metrics/rates.md#metric-keys
with

months as (
    select region_code, year, month from {{ ref('int_report_months') }}
),

rate_values as (
    select * from {{ ref('int_rate_values') }}
    where scope = 'region' and metric_key is not null
),

attraction as (
    select * from {{ ref('int_investment_attraction') }}
),

rate_keys as (
    select metric_key from {{ ref('dim_rate') }}
    where metric_key is not null and rate_name <> '计划投资完成率'
),

attraction_keys as (
    select 'attraction_signed_total' as metric_key
    union all
    select 'attraction_out_of_province_total' as metric_key
    union all
    select 'attraction_foreign_capital_usd' as metric_key
    union all
    select 'attraction_domestic_capital_growth' as metric_key
),

rate_metrics as (
    select
        months.region_code,
        months.year,
        months.month,
        rate_keys.metric_key,
        rate_values.rate as actual_value,
        -- as mart_five_rates publishes them
        coalesce(cast(rate_values.numerator as decimal(20, 6)), 0) as numerator,
        coalesce(cast(rate_values.denominator as decimal(20, 6)), 0) as denominator
    from months
    cross join rate_keys
    left join rate_values
        on months.region_code = rate_values.region_code
        and months.year = rate_values.year
        and months.month = rate_values.month
        and rate_keys.metric_key = rate_values.metric_key
),

-- amounts as they are (numerator/denominator null); growth = (this year's − prior year's same-period funds) /
-- prior year's same-period funds, with increase and base as numerator and denominator
attraction_metrics as (
    select
        months.region_code,
        months.year,
        months.month,
        attraction_keys.metric_key,
        case attraction_keys.metric_key
            when 'attraction_signed_total' then coalesce(attraction.signed_total_wan, 0)
            when 'attraction_out_of_province_total' then coalesce(attraction.out_of_province_total_wan, 0)
            when 'attraction_foreign_capital_usd' then coalesce(attraction.foreign_capital_usd, 0)
            else attraction.domestic_capital_growth
        end as actual_value,
        case
            when attraction_keys.metric_key = 'attraction_domestic_capital_growth'
                and attraction.prior_year_deals_same_period > 0
                then attraction.domestic_capital_wan - attraction.domestic_capital_prior_year_wan
        end as numerator,
        case
            when attraction_keys.metric_key = 'attraction_domestic_capital_growth'
                and attraction.prior_year_deals_same_period > 0
                then attraction.domestic_capital_prior_year_wan
        end as denominator
    from months
    cross join attraction_keys
    left join attraction
        on months.region_code = attraction.region_code
        and months.year = attraction.year
        and months.month = attraction.month
),

unioned as (
    select * from rate_metrics
    union all
    select * from attraction_metrics
),

final as (
    select
        {{ metric_long_columns("'project_data'") }}
    from unioned
)

select * from final
