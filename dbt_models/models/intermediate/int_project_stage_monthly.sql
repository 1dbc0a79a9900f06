-- 四个一批 stage of every project at the end of every report month (point in time), derived from
-- the registry's dates: 竣工投产 from the completion/operation date, 开工在建 from the actual start
-- date; before its start a started project counts as 储备; 谋划/储备/调出 as registered.
-- Definition and limits: docs/metrics.md#four-batches
-- Incremental by (region_code, year): a build rebuilds the region-years whose inputs changed
-- (macros/incremental_partitions.sql).
{%- set inputs = ref('int_inputs__region_year') %}
{{ config(**partitioned_config('int_inputs__region_year', ['region_code', 'year'])) }}
with

projects as (
    select * from {{ ref('int_projects_enriched') }}
),

months as (
    select * from {{ ref('int_report_months') }} as months
    {%- if is_incremental() %}
    where {{ in_changed_partitions(inputs, ['region_code', 'year'], ['months.region_code', 'months.year']) }}
    {%- endif %}
),

staged as (
    select
        projects.project_id,
        projects.region_code,
        months.year,
        months.month,
        months.as_of_date,
        case
            when projects.stage = '调出' then '调出'
            when projects.completed_date <= months.as_of_date then '竣工投产'
            when projects.actual_start_date <= months.as_of_date then '开工在建'
            when projects.stage in ('谋划', '储备') then projects.stage
            when projects.stage in ('开工在建', '竣工投产') then '储备'
            else projects.stage
        end as stage_at_month
    from projects
    inner join months on projects.region_code = months.region_code
),

final as (
    select
        staged.*,
        lag(staged.stage_at_month) over (
            partition by staged.project_id, staged.year order by staged.month
        ) as stage_previous_month
    from staged
)

select * from final
