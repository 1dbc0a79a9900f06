-- M3 (fatal, expectations/rules.yml until issue 13): the region-month YTD and count of reporting projects of
-- mart_region_monthly_investment, recomputed independently from staging with the canonical 计划投资完成率
-- members: every project with an annual plan for the year adds the YTD of its latest dispatch report up to the
-- month (carried forward; 0 before its first report); projects_reporting counts those that reported in the
-- month. A row returned is a region-month whose figures do not add up to their project rows.
{{ config(severity='error', tags=['mart_rule'], meta={'rule_id': 'M3', 'dagster': {'ref': {'name': 'mart_region_monthly_investment'}}}) }}

with

region_months as (
    select * from {{ ref('mart_region_monthly_investment') }}
),

projects as (
    select project_id, region_code from {{ ref('stg_raw__projects') }}
),

plans as (
    select distinct project_id, plan_year from {{ ref('stg_raw__annual_plans') }}
),

dispatch as (
    select project_id, year, month, ytd_completed from {{ ref('stg_raw__monthly_progress') }}
    where basis = 'DISPATCH'
),

-- set-based (not correlated sub-queries, which DuckDB decorrelated into a 14 GB join at province scale):
-- each planned project's latest dispatch month up to each region-month, then its YTD in that month
latest_report as (
    select
        t.region_code,
        t.year,
        t.month,
        p.project_id,
        max(m.month) as report_month
    from region_months as t
    inner join projects as p on p.region_code = t.region_code
    inner join plans as a on a.project_id = p.project_id and a.plan_year = t.year
    inner join dispatch as m on m.project_id = p.project_id and m.year = t.year and m.month <= t.month
    group by t.region_code, t.year, t.month, p.project_id
),

expected_ytd as (
    select
        l.region_code,
        l.year,
        l.month,
        sum(m.ytd_completed) as ytd_completed
    from latest_report as l
    inner join dispatch as m
        on m.project_id = l.project_id and m.year = l.year and m.month = l.report_month
    group by l.region_code, l.year, l.month
),

expected_reporting as (
    select
        p.region_code,
        m.year,
        m.month,
        count(*) as projects_reporting
    from dispatch as m
    inner join projects as p on p.project_id = m.project_id
    inner join plans as a on a.project_id = m.project_id and a.plan_year = m.year
    group by p.region_code, m.year, m.month
),

final as (
    select
        t.region_code,
        t.year,
        t.month,
        cast(t.ytd_completed_wan as {{ dbt.type_string() }}) || '（' || cast(t.projects_reporting as {{ dbt.type_string() }}) || ' 个项目）'
            as observed
    from region_months as t
    left join expected_ytd as e
        on e.region_code = t.region_code and e.year = t.year and e.month = t.month
    left join expected_reporting as r
        on r.region_code = t.region_code and r.year = t.year and r.month = t.month
    where t.ytd_completed_wan is distinct from coalesce(e.ytd_completed, 0)
        or t.projects_reporting is distinct from coalesce(r.projects_reporting, 0)
)

select * from final
