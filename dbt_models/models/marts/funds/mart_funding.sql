-- 争取资金 by region, fund year, report month and fund type, plus one 合计 row (all fund types) per
-- region and month: amounts issued (下达), received (到位) and paid (支付) up to the end of the month,
-- 政策性资金, 无偿补助资金 and its 项目资金 part, 中省 project counts and growth of 政策性资金 vs the
-- same period of the previous fund year.
-- Definitions: docs/metrics/funds.md#mart-funding
with

funds as (
    select * from {{ ref('int_fund_rows') }}
),

paid_snapshots as (
    select * from {{ ref('int_fund_paid_snapshots') }}
),

report_months as (
    select month, label_zh from {{ ref('dim_report_month') }}
),

regions as (
    select region_code, name_zh as region_name from {{ ref('dim_region') }}
),

fund_types as (
    select * from {{ ref('dim_fund_type') }}
),

placed_funds as (
    select * from funds where region_code is not null
),

-- every fund row in every report month of its fund year, with what was known at the month's end
fund_months as (
    select
        placed_funds.*,
        report_months.month,
        {{ month_end('placed_funds.fund_year', 'report_months.month') }} as as_of_date
    from placed_funds
    cross join report_months
),

fund_month_paid as (
    select
        fund_months.*,
        paid_snapshots.paid_amount as paid_at_month_end
    from fund_months
    left join paid_snapshots
        on fund_months.fund_row_key = paid_snapshots.fund_row_key
        and {{ funds_snapshot_valid_at('paid_snapshots', 'fund_months.as_of_date') }}
),

-- each fund row once under its own type and once under 合计
rolled_up as (
    select fund_month_paid.*, fund_month_paid.fund_type as group_type from fund_month_paid
    union all
    select fund_month_paid.*, '合计' as group_type from fund_month_paid
),

aggregated as (
    select
        region_code,
        fund_year as year,
        month,
        group_type as fund_type,
        count(*) as fund_rows,
        count(distinct case when is_project_row then project_id end) as project_count,
        count(distinct case when is_project_row and issued_on <= as_of_date then project_id end)
            as funded_project_count,
        count(distinct case when is_project_row and is_central_provincial then project_id end)
            as central_provincial_project_count,
        sum(case when is_policy_fund then 1 else 0 end) as policy_fund_rows,
        coalesce(sum(requested_amount), 0) as requested_wan,
        sum(case when issued_on <= as_of_date then issued_amount else 0 end) as issued_wan,
        sum(case when received_on <= as_of_date then received_amount else 0 end) as received_wan,
        coalesce(sum(paid_at_month_end), 0) as paid_wan,
        sum(
            case when issued_amount is not null and issued_date is null then issued_amount else 0 end
        ) as issued_undated_wan,
        sum(
            case when is_policy_fund and issued_on <= as_of_date then issued_amount else 0 end
        ) as policy_issued_wan,
        sum(
            case when is_free_grant_row and issued_on <= as_of_date then issued_amount else 0 end
        ) as free_grant_wan,
        sum(
            case when is_project_fund_row and issued_on <= as_of_date then issued_amount else 0 end
        ) as project_fund_wan
    from rolled_up
    group by region_code, fund_year, month, group_type
),

with_prior_year as (
    select
        current_year.*,
        case
            when prior_year.policy_fund_rows > 0 then prior_year.policy_issued_wan
        end as prior_year_policy_issued_wan
    from aggregated as current_year
    left join aggregated as prior_year
        on current_year.region_code = prior_year.region_code
        and current_year.year = prior_year.year + 1
        and current_year.month = prior_year.month
        and current_year.fund_type = prior_year.fund_type
),

final as (
    select
        with_prior_year.region_code,
        regions.region_name,
        with_prior_year.year,
        with_prior_year.month,
        report_months.label_zh as period_label,
        {{ month_end('with_prior_year.year', 'with_prior_year.month') }} as as_of_date,
        with_prior_year.fund_type,
        with_prior_year.fund_type = '合计' as is_total_row,
        fund_types.is_policy_fund,
        fund_types.is_central_provincial,
        fund_types.is_free_grant,
        fund_types.is_bond,
        with_prior_year.fund_rows,
        with_prior_year.project_count,
        with_prior_year.funded_project_count,
        with_prior_year.central_provincial_project_count,
        cast(with_prior_year.requested_wan as decimal(18, 4)) as requested_wan,
        cast(with_prior_year.issued_wan as decimal(18, 4)) as issued_wan,
        cast(with_prior_year.received_wan as decimal(18, 4)) as received_wan,
        cast(with_prior_year.paid_wan as decimal(18, 4)) as paid_wan,
        cast(with_prior_year.issued_undated_wan as decimal(18, 4)) as issued_undated_wan,
        cast(with_prior_year.policy_issued_wan as decimal(18, 4)) as policy_issued_wan,
        cast(with_prior_year.prior_year_policy_issued_wan as decimal(18, 4)) as prior_year_policy_issued_wan,
        {{ safe_ratio(
            'with_prior_year.policy_issued_wan - with_prior_year.prior_year_policy_issued_wan',
            'with_prior_year.prior_year_policy_issued_wan', 20
        ) }} as policy_growth,
        cast(with_prior_year.free_grant_wan as decimal(18, 4)) as free_grant_wan,
        cast(with_prior_year.project_fund_wan as decimal(18, 4)) as project_fund_wan
    from with_prior_year
    left join regions on with_prior_year.region_code = regions.region_code
    left join report_months on with_prior_year.month = report_months.month
    left join fund_types on with_prior_year.fund_type = fund_types.fund_type
)

select * from final
