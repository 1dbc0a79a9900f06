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

final as (
    select
        t.region_code,
        t.year,
        t.month,
        cast(t.ytd_completed_wan as {{ dbt.type_string() }}) || '（' || cast(t.projects_reporting as {{ dbt.type_string() }}) || ' 个项目）'
            as observed
    from region_months as t
    where t.ytd_completed_wan is distinct from coalesce((
        select sum(m.ytd_completed)
        from projects as p
        inner join plans as a on a.project_id = p.project_id and a.plan_year = t.year
        inner join dispatch as m
            on m.project_id = p.project_id and m.year = t.year
            and m.month = (
                select max(x.month) from dispatch as x
                where x.project_id = p.project_id and x.year = t.year and x.month <= t.month
            )
        where p.region_code = t.region_code
    ), 0)
    or t.projects_reporting is distinct from (
        select count(*)
        from dispatch as m
        inner join projects as p on p.project_id = m.project_id
        where p.region_code = t.region_code and m.year = t.year and m.month = t.month
            and exists (select 1 from plans as a where a.project_id = m.project_id and a.plan_year = t.year)
    )
)

select * from final
