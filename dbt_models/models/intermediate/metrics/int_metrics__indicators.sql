-- Metrics only a lead unit's own report can measure (plan_targets.metric_key = 'indicator_report:<code>'):
-- the latest reported value up to each report month, carried forward between reports. Money reported
-- in 元/亿元 is converted to 万元 and percentages are already fractions (ingestion).
with

reports as (
    select * from {{ ref('stg_raw__indicator_reports') }}
),

months as (
    select region_code, year, month from {{ ref('int_report_months') }}
),

codes as (
    select distinct region_code, year, indicator_code from reports
),

latest_month as (
    select
        months.region_code,
        months.year,
        months.month,
        codes.indicator_code,
        max(reports.month) as reported_month
    from months
    inner join codes on months.region_code = codes.region_code and months.year = codes.year
    left join reports
        on reports.region_code = codes.region_code
        and reports.year = codes.year
        and reports.indicator_code = codes.indicator_code
        and reports.month <= months.month
    group by months.region_code, months.year, months.month, codes.indicator_code
),

final as (
    select
        latest_month.region_code,
        latest_month.year,
        latest_month.month,
        'indicator_report:' || latest_month.indicator_code as metric_key,
        cast(
            reports.value * case reports.unit when '亿元' then 10000 when '元' then 0.0001 else 1 end
            as decimal(20, 6)
        ) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'indicator_report' as actual_source
    from latest_month
    left join reports
        on reports.region_code = latest_month.region_code
        and reports.year = latest_month.year
        and reports.indicator_code = latest_month.indicator_code
        and reports.month = latest_month.reported_month
)

select * from final
