-- Metric long form of the funds area for target binding: one row per region × year × report month ×
-- metric_key, the value as of the end of the month. Fund metrics come from the fund ledger (project_data);
-- stats_aggregate:<CODE> metrics from the statistics bureau's releases only (published growth/share as
-- published; a share the bureau does not publish is derived from two levels of the same release).
-- Definitions: docs/metrics/funds.md#metric-keys
{%- set growth_codes = [
    'FAI_TOTAL', 'FAI_MANUF', 'FAI_HITECH', 'FAI_CULTURE_ENT', 'FAI_RETAIL_WHOLESALE', 'FAI_HOSPITALITY',
    'FAI_SOCIAL_EX_RE', 'FAI_INDUSTRY_TECH',
] %}
{%- set share_keys = {'FAI_PRIVATE_SHARE': 'FAI_PRIVATE', 'FAI_INDUSTRIAL_SHARE': 'FAI_INDUSTRIAL'} %}
{%- set level_codes = ['IND_OUTPUT_ABOVE_SCALE'] %}
{%- set total_code = funds_var('fai_total_code') %}
with

months as (
    select
        region_code,
        year,
        month,
        as_of_date,
        {{ month_end('year - 1', 'month') }} as prior_as_of_date
    from {{ ref('int_report_months') }}
),

funds as (
    select * from {{ ref('int_fund_rows') }}
),

paid_snapshots as (
    select * from {{ ref('int_fund_paid_snapshots') }}
),

deadlines as (
    select * from {{ ref('policy_deadlines') }}
),

releases as (
    select * from {{ ref('stg_raw__fai_aggregates') }}
),

-- 政策性资金 / 无偿补助资金 / 项目资金 issued in the fund year up to the month end; 中省 projects
funding as (
    select
        months.region_code,
        months.year,
        months.month,
        sum(
            case when funds.is_policy_fund and funds.issued_on <= months.as_of_date then funds.issued_amount else 0 end
        ) as policy_total,
        count(
            distinct case when funds.is_central_provincial and funds.is_project_row then funds.project_id end
        ) as central_provincial_projects,
        sum(
            case when funds.is_free_grant_row and funds.issued_on <= months.as_of_date then funds.issued_amount else 0 end
        ) as free_grant_total,
        sum(
            case when funds.is_project_fund_row and funds.issued_on <= months.as_of_date then funds.issued_amount else 0 end
        ) as project_fund_total
    from months
    left join funds
        on months.region_code = funds.region_code
        and months.year = funds.fund_year
    group by months.region_code, months.year, months.month
),

-- the same period of the previous fund year, only where policy-fund rows of that year exist
prior_funding as (
    select
        months.region_code,
        months.year,
        months.month,
        sum(
            case when funds.issued_on <= months.prior_as_of_date then funds.issued_amount else 0 end
        ) as prior_policy_total
    from months
    inner join funds
        on months.region_code = funds.region_code
        and months.year - 1 = funds.fund_year
        and funds.is_policy_fund
    group by months.region_code, months.year, months.month
),

-- the vintages of a fund type whose deadlines fall in the year (region-specific or national rows)
deadline_vintages as (
    select distinct
        months.region_code,
        months.year,
        deadlines.fund_type,
        deadlines.applies_year
    from (select distinct region_code, year from months) as months
    inner join deadlines
        on {{ year_of('deadlines.due_date') }} = months.year
        and (deadlines.region_code = months.region_code or deadlines.region_code is null)
),

-- bond cohorts: the year's new special bonds (fund year = year) and the treasury-bond vintage due in the year;
-- the region is funds.region_code (joined equal to the month's: naming both is ambiguous on PostgreSQL)
cohorts as (
    select
        months.year,
        months.month,
        months.as_of_date,
        'bond' as cohort,
        funds.*
    from months
    inner join funds
        on months.region_code = funds.region_code
        and months.year = funds.fund_year
        and funds.fund_type = '{{ funds_var("funds_bond_fund_type") }}'
        and funds.issued_amount > 0
    union all
    select
        months.year,
        months.month,
        months.as_of_date,
        'treasury' as cohort,
        funds.*
    from months
    inner join deadline_vintages
        on months.region_code = deadline_vintages.region_code
        and months.year = deadline_vintages.year
        and deadline_vintages.fund_type = '{{ funds_var("funds_treasury_fund_type") }}'
    inner join funds
        on months.region_code = funds.region_code
        and deadline_vintages.applies_year = funds.fund_year
        and funds.fund_type = '{{ funds_var("funds_treasury_fund_type") }}'
        and funds.issued_amount > 0
),

cohort_paid as (
    select
        cohorts.*,
        paid_snapshots.paid_amount as paid_at_month_end
    from cohorts
    left join paid_snapshots
        on cohorts.fund_row_key = paid_snapshots.fund_row_key
        and {{ funds_snapshot_valid_at('paid_snapshots', 'cohorts.as_of_date') }}
),

-- a row's paid amount counts up to its own base, so one row's overspending cannot hide another's shortfall
bond_progress as (
    select
        region_code,
        year,
        month,
        cohort,
        sum(issued_amount) as cohort_issued,
        sum(case when issued_on <= as_of_date then issued_amount else 0 end) as issued_by_month_end,
        sum(
            case
                when coalesce(paid_at_month_end, 0) > spend_base then spend_base
                else coalesce(paid_at_month_end, 0)
            end
        ) as paid_capped,
        count(distinct case when actual_start_date <= as_of_date then project_id end) as started_projects
    from cohort_paid
    group by region_code, year, month, cohort
),

fund_metrics as (
    select
        months.region_code,
        months.year,
        months.month,
        funding.policy_total,
        funding.central_provincial_projects,
        funding.free_grant_total,
        funding.project_fund_total,
        prior_funding.prior_policy_total,
        bonds.cohort_issued as bond_issued_total,
        bonds.issued_by_month_end as bond_issued_by_month_end,
        bonds.paid_capped as bond_paid,
        treasury.issued_by_month_end as treasury_issued,
        treasury.cohort_issued as treasury_cohort_issued,
        treasury.paid_capped as treasury_paid,
        coalesce(treasury.started_projects, 0) as treasury_started
    from months
    left join funding
        on months.region_code = funding.region_code
        and months.year = funding.year
        and months.month = funding.month
    left join prior_funding
        on months.region_code = prior_funding.region_code
        and months.year = prior_funding.year
        and months.month = prior_funding.month
    left join bond_progress as bonds
        on months.region_code = bonds.region_code
        and months.year = bonds.year
        and months.month = bonds.month
        and bonds.cohort = 'bond'
    left join bond_progress as treasury
        on months.region_code = treasury.region_code
        and months.year = treasury.year
        and months.month = treasury.month
        and treasury.cohort = 'treasury'
),

-- every branch casts to decimal(20, 6) (metric_long_values): a union would otherwise take one branch's scale
fund_long as (
    {%- set fund_keys = [
        ('funding_policy_total', 'policy_total', none, none),
        ('funding_central_provincial_project_count', 'central_provincial_projects', none, none),
        ('funding_growth', safe_ratio('policy_total - prior_policy_total', 'prior_policy_total', 20),
            'case when prior_policy_total is not null then policy_total end', 'prior_policy_total'),
        ('funding_free_grant_total', 'free_grant_total', none, none),
        ('funding_project_fund_total', 'project_fund_total', none, none),
        ('bond_issue_deadline', safe_ratio('bond_issued_by_month_end', 'bond_issued_total', 20),
            'bond_issued_by_month_end', 'bond_issued_total'),
        ('bond_pay_deadline', safe_ratio('bond_paid', 'bond_issued_total', 20), 'bond_paid', 'bond_issued_total'),
        ('treasury_bond_amount', 'coalesce(treasury_issued, 0)', none, none),
        ('treasury_bond_start', 'treasury_started', none, none),
        ('treasury_bond_spend', safe_ratio('treasury_paid', 'treasury_cohort_issued', 20),
            'treasury_paid', 'treasury_cohort_issued'),
    ] %}
    {%- for key, value, numerator, denominator in fund_keys %}
    select
        region_code,
        year,
        month,
        {{ metric_long_values(key, value, numerator, denominator) }},
        'project_data' as actual_source
    from fund_metrics
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

-- one row per region, year and month with each needed published figure as a column
release_wide as (
    select
        region_code as release_region_code,
        year as release_year,
        month as release_month,
        {%- for code in growth_codes %}
        max(case when indicator_code = '{{ code }}' then yoy_growth end) as growth_{{ code | lower }},
        {%- endfor %}
        {%- for key, code in share_keys.items() %}
        max(case when indicator_code = '{{ code }}' then share end) as share_{{ code | lower }},
        max(case when indicator_code = '{{ code }}' then value end) as value_{{ code | lower }},
        {%- endfor %}
        {%- for d in funds_var('fai_derived_indicators') %}
        max(case when indicator_code = '{{ d.code }}' then share end) as share_{{ d.code | lower }},
        max(case when indicator_code = '{{ d.numerator }}' then value end) as num_{{ d.code | lower }},
        max(case when indicator_code = '{{ d.denominator }}' then value end) as den_{{ d.code | lower }},
        {%- endfor %}
        {%- for code in level_codes %}
        max(case when indicator_code = '{{ code }}' then value end) as value_{{ code | lower }},
        {%- endfor %}
        max(case when indicator_code = '{{ total_code }}' then value end) as value_total
    from releases
    group by region_code, year, month
),

stats_wide as (
    select months.region_code, months.year, months.month, release_wide.*
    from months
    left join release_wide
        on months.region_code = release_wide.release_region_code
        and months.year = release_wide.release_year
        and months.month = release_wide.release_month
),

stats_long as (
    {%- set stats_keys = [] %}
    {%- for code in growth_codes %}
        {%- do stats_keys.append((code, 'growth_' ~ (code | lower), 'null', 'null')) %}
    {%- endfor %}
    {#- a published share is used as published (numerator/denominator null); otherwise it is derived from
        the two levels of the same release and the levels are the numerator and denominator -#}
    {%- for key, code in share_keys.items() %}
        {%- set c = code | lower %}
        {%- do stats_keys.append((
            key,
            'coalesce(share_' ~ c ~ ', ' ~ safe_ratio('value_' ~ c, 'value_total', 20) ~ ')',
            'case when share_' ~ c ~ ' is null and value_total <> 0 then value_' ~ c ~ ' end',
            'case when share_' ~ c ~ ' is null and value_' ~ c ~ ' is not null and value_total <> 0'
                ~ ' then value_total end',
        )) %}
    {%- endfor %}
    {%- for d in funds_var('fai_derived_indicators') %}
        {%- set c = d.code | lower %}
        {%- do stats_keys.append((
            d.code,
            'coalesce(share_' ~ c ~ ', ' ~ safe_ratio('num_' ~ c, 'den_' ~ c, 20) ~ ')',
            'case when share_' ~ c ~ ' is null and den_' ~ c ~ ' <> 0 then num_' ~ c ~ ' end',
            'case when share_' ~ c ~ ' is null and num_' ~ c ~ ' is not null and den_' ~ c ~ ' <> 0'
                ~ ' then den_' ~ c ~ ' end',
        )) %}
    {%- endfor %}
    {%- for code in level_codes %}
        {%- do stats_keys.append((code, 'value_' ~ (code | lower), 'null', 'null')) %}
    {%- endfor %}
    {%- for key, value, numerator, denominator in stats_keys %}
    select
        region_code,
        year,
        month,
        {{ metric_long_values('stats_aggregate:' ~ key, value, numerator, denominator) }},
        'stats_aggregate' as actual_source
    from stats_wide
    {%- if not loop.last %}
    union all
    {%- endif %}
    {%- endfor %}
),

combined as (
    select * from fund_long
    union all
    select * from stats_long
),

final as (
    select
        {{ metric_long_columns() }}
    from combined
)

select * from final
