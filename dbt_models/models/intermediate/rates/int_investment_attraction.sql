-- 招商引资 per region and report month from the 招商引资签约项目台账: deals signed in the year up to the month end
-- (total, out of province, terminated, landed, funds in place), the landing rate of the prior year's deals and
-- the growth of domestic capital in place against the prior year's deals of the same period. Money in 万元,
-- foreign capital in 万美元, ratios as fractions. mart_investment_attraction publishes it; int_metrics__rates
-- binds its amounts and growth to targets. Definitions: docs/metrics/rates.md
with

months as (
    select region_code, year, month, as_of_date from {{ ref('int_report_months') }}
),

deals as (
    select
        contract_id,
        region_code,
        {{ year_of('signed_date') }} as signed_year,
        signed_date,
        investor_origin,
        status,
        coalesce(contract_amount, 0) as contract_amount,
        land_approved_date,
        funds_in_place,
        funds_in_place_usd
    from {{ ref('stg_raw__investment_contracts') }}
),

-- deals signed in the report year on or before the month end
signed_in_year as (
    select
        months.region_code,
        months.year,
        months.month,
        count(deals.contract_id) as deals_signed,
        sum(deals.contract_amount) as signed_total_wan,
        sum(case when deals.status = '终止' then 1 else 0 end) as deals_terminated,
        sum(case when deals.status = '终止' then deals.contract_amount else 0 end) as terminated_amount_wan,
        -- 省外 = investors from outside the province, overseas (境外) included
        sum(
            case when deals.investor_origin in ('省外', '境外') then deals.contract_amount else 0 end
        ) as out_of_province_total_wan,
        sum(case when deals.investor_origin = '境外' then deals.contract_amount else 0 end) as overseas_total_wan,
        sum({{ flag_on_or_before('deals.land_approved_date', 'months.as_of_date') }}) as deals_landed,
        sum(
            {{ flag_on_or_before('deals.land_approved_date', 'months.as_of_date') }} * deals.contract_amount
        ) as landed_amount_wan,
        sum(deals.funds_in_place_usd) as foreign_capital_usd,
        sum(deals.funds_in_place) as domestic_capital_wan
    from months
    left join deals
        on months.region_code = deals.region_code
        and deals.signed_year = months.year
        and deals.signed_date <= months.as_of_date
    group by months.region_code, months.year, months.month
),

-- the prior year's deals: the whole cohort for the landing rate, the same period (signed by the same
-- month end of the prior year) for domestic capital
prior_year as (
    select
        months.region_code,
        months.year,
        months.month,
        count(deals.contract_id) as prior_year_deals,
        sum(deals.contract_amount) as prior_year_signed_wan,
        sum({{ flag_on_or_before('deals.land_approved_date', 'months.as_of_date') }}) as prior_year_deals_landed,
        sum(
            {{ flag_on_or_before('deals.land_approved_date', 'months.as_of_date') }} * deals.contract_amount
        ) as prior_year_landed_wan,
        sum(
            {{ flag_on_or_before('deals.signed_date', month_end('months.year - 1', 'months.month')) }}
        ) as prior_year_deals_same_period,
        sum(
            {{ flag_on_or_before('deals.signed_date', month_end('months.year - 1', 'months.month')) }}
            * coalesce(deals.funds_in_place, 0)
        ) as domestic_capital_prior_year_wan
    from months
    left join deals
        on months.region_code = deals.region_code
        and deals.signed_year = months.year - 1
    group by months.region_code, months.year, months.month
),

joined as (
    select
        months.region_code,
        months.year,
        months.month,
        months.as_of_date,
        coalesce(signed_in_year.deals_signed, 0) as deals_signed,
        coalesce(signed_in_year.signed_total_wan, 0) as signed_total_wan,
        coalesce(signed_in_year.deals_terminated, 0) as deals_terminated,
        coalesce(signed_in_year.terminated_amount_wan, 0) as terminated_amount_wan,
        coalesce(signed_in_year.out_of_province_total_wan, 0) as out_of_province_total_wan,
        coalesce(signed_in_year.overseas_total_wan, 0) as overseas_total_wan,
        coalesce(signed_in_year.deals_landed, 0) as deals_landed,
        coalesce(signed_in_year.landed_amount_wan, 0) as landed_amount_wan,
        coalesce(signed_in_year.foreign_capital_usd, 0) as foreign_capital_usd,
        coalesce(signed_in_year.domestic_capital_wan, 0) as domestic_capital_wan,
        coalesce(prior_year.prior_year_deals, 0) as prior_year_deals,
        coalesce(prior_year.prior_year_signed_wan, 0) as prior_year_signed_wan,
        coalesce(prior_year.prior_year_deals_landed, 0) as prior_year_deals_landed,
        coalesce(prior_year.prior_year_landed_wan, 0) as prior_year_landed_wan,
        coalesce(prior_year.prior_year_deals_same_period, 0) as prior_year_deals_same_period,
        coalesce(prior_year.domestic_capital_prior_year_wan, 0) as domestic_capital_prior_year_wan
    from months
    left join signed_in_year
        on months.region_code = signed_in_year.region_code
        and months.year = signed_in_year.year
        and months.month = signed_in_year.month
    left join prior_year
        on months.region_code = prior_year.region_code
        and months.year = prior_year.year
        and months.month = prior_year.month
),

final as (
    select
        region_code,
        year,
        month,
        as_of_date,
        deals_signed,
        cast(signed_total_wan as decimal(20, 4)) as signed_total_wan,
        cast(signed_total_wan - terminated_amount_wan as decimal(20, 4)) as signed_total_excl_terminated_wan,
        deals_terminated,
        cast(terminated_amount_wan as decimal(20, 4)) as terminated_amount_wan,
        cast(out_of_province_total_wan as decimal(20, 4)) as out_of_province_total_wan,
        cast(overseas_total_wan as decimal(20, 4)) as overseas_total_wan,
        cast(out_of_province_total_wan - overseas_total_wan as decimal(20, 4)) as out_of_province_domestic_wan,
        deals_landed,
        cast(landed_amount_wan as decimal(20, 4)) as landed_amount_wan,
        {{ safe_ratio('deals_landed', 'deals_signed') }} as landing_rate,
        {{ safe_ratio('landed_amount_wan', 'signed_total_wan') }} as landing_rate_amount,
        prior_year_deals,
        prior_year_deals_landed,
        {{ safe_ratio('prior_year_deals_landed', 'prior_year_deals') }} as prior_year_landing_rate,
        {{ safe_ratio('prior_year_landed_wan', 'prior_year_signed_wan') }} as prior_year_landing_rate_amount,
        cast(foreign_capital_usd as decimal(20, 4)) as foreign_capital_usd,
        cast(domestic_capital_wan as decimal(20, 4)) as domestic_capital_wan,
        prior_year_deals_same_period,
        cast(domestic_capital_prior_year_wan as decimal(20, 4)) as domestic_capital_prior_year_wan,
        {{ safe_ratio(
            'domestic_capital_wan - domestic_capital_prior_year_wan', 'domestic_capital_prior_year_wan',
            when='prior_year_deals_same_period > 0 and domestic_capital_prior_year_wan <> 0'
        ) }} as domestic_capital_growth
    from joined
)

select * from final
