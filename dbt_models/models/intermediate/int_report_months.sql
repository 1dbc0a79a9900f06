-- The report-month spine: every region x plan year x report month (2..12; January is reported
-- together with February), with the month's end date and time pace.
with

-- The regions this deployment tracks: those its plans set targets for and those its projects sit in
-- (dim_region is the national list, so it cannot be the spine).
regions as (
    select distinct region_code from {{ ref('plan_targets') }}
    union
    select distinct region_code from {{ ref('stg_raw__projects') }} where region_code is not null
),

years as (
    select distinct plan_year as year from {{ ref('plan_targets') }}
    union
    select distinct plan_year from {{ ref('int_annual_plans_versioned') }}
    union
    select distinct year from {{ ref('stg_raw__monthly_progress') }}
),

months as (
    select * from {{ ref('dim_report_month') }}
),

final as (
    select
        regions.region_code,
        years.year,
        months.month,
        months.label_zh as period_label,
        months.quarter,
        months.is_quarter_end,
        months.time_pace,
        {{ month_start('years.year', 'months.month') }} as month_start_date,
        {{ month_end('years.year', 'months.month') }} as as_of_date
    from regions
    cross join years
    cross join months
)

select * from final
