-- The 五率 facts: every cohort member (deal, project, or a project's required procedures) at every report month,
-- with its own numerator/denominator contribution, so that mart_five_rates (and int_rate_values) only sum
-- them. One row per rate x cohort x variant x member x region x month; lead_unit is the project's lead unit
-- (a deal: the linked project's, else the submitting unit). 计划投资完成率 is not here: it comes whole from
-- int_plan_completion. Definitions, cohorts and decisions: docs/metrics/rates.md
with

months as (
    select region_code, year, month, as_of_date from {{ ref('int_report_months') }}
),

projects as (
    select project_id, lead_unit from {{ ref('int_projects_enriched') }}
),

project_months as (
    select * from {{ ref('int_rate_project_cohorts') }}
),

required_procedures as (
    -- only approvals the project needs: 是否必需 = 否 and 不适用 are out of the denominator
    select project_id, procedure_type, status, approved_date
    from {{ ref('stg_raw__procedures') }}
    where coalesce(is_required, true) and coalesce(status, '') <> '不适用'
),

deals as (
    select * from {{ ref('stg_raw__investment_contracts') }}
),

-- the date that makes a project count, by rate: 储备项目开工率 — started (actual_start_date) over the new-start
-- cohorts; 竣工投产达效率 — completed or in operation (completed_date) over the projects due to complete
project_dates as (
    select project_months.*, '储备项目开工率' as rate_name, actual_start_date as counted_date
    from project_months
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
    union all
    select project_months.*, '竣工投产达效率' as rate_name, completed_date as counted_date
    from project_months
    where cohort in ('all_due_completion', 'key_due_completion')
),

-- variant project of both: the date is on or before the month end
date_facts as (
    select
        region_code, lead_unit, year, month, as_of_date,
        rate_name, cohort, 'project' as variant, project_id as member_id,
        1 as in_cohort,
        1 as has_data,
        {{ flag_on_or_before('counted_date', 'as_of_date') }} as num_value,
        1 as den_value
    from project_dates
),

-- 储备项目开工率, the other variants; scheduled (序时开工率): only projects whose planned start month has come
start_facts as (
    -- variant stats_library (统计标准开工): started and in the statistical library (入库, total ≥ 500 万元) by the
    -- month end — "严格项目开工建设数据按统计标准监测调度"
    select
        region_code, lead_unit, year, month, as_of_date,
        '储备项目开工率' as rate_name, cohort, 'stats_library' as variant, project_id as member_id,
        1 as in_cohort,
        1 as has_data,
        case
            when coalesce(
                in_stats_library
                and total_investment >= {{ projects_var('stats_min_total_wan') }}
                and (stats_entry_date is null or stats_entry_date <= as_of_date),
                false
            )
                then {{ flag_on_or_before('actual_start_date', 'as_of_date') }}
            else 0
        end as num_value,
        1 as den_value
    from project_months
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
    union all
    select
        region_code, lead_unit, year, month, as_of_date,
        '储备项目开工率' as rate_name, cohort, 'scheduled' as variant, project_id as member_id,
        case when planned_start_month <= month then 1 else 0 end as in_cohort,
        1 as has_data,
        case
            when planned_start_month <= month
                then {{ flag_on_or_before('actual_start_date', 'as_of_date') }}
            else 0
        end as num_value,
        case when planned_start_month <= month then 1 else 0 end as den_value
    from project_months
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
),

-- 前期手续办结率: every required procedure of a cohort project, done when 已办结 by the month end
-- (an 已办结 row without a date counts as done: the status is what the unit reports)
procedure_status as (
    select
        project_months.region_code,
        project_months.lead_unit,
        project_months.year,
        project_months.month,
        project_months.as_of_date,
        project_months.cohort,
        project_months.project_id,
        required_procedures.procedure_type,
        case
            when required_procedures.status = '已办结'
                and (
                    required_procedures.approved_date is null
                    or required_procedures.approved_date <= project_months.as_of_date
                )
                then 1
            else 0
        end as is_done
    from project_months
    left join required_procedures on project_months.project_id = required_procedures.project_id
    where project_months.cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
),

procedure_by_project as (
    select
        region_code, lead_unit, year, month, as_of_date, cohort, project_id,
        count(procedure_type) as n_required,
        sum(case when procedure_type is not null then is_done else 0 end) as n_done
    from procedure_status
    group by region_code, lead_unit, year, month, as_of_date, cohort, project_id
),

procedure_facts as (
    select
        region_code, lead_unit, year, month, as_of_date,
        '前期手续办结率' as rate_name, cohort, 'procedure' as variant, project_id as member_id,
        1 as in_cohort,
        case when n_required > 0 then 1 else 0 end as has_data,
        n_done as num_value,
        n_required as den_value
    from procedure_by_project
    union all
    -- project level: a project counts when it has required procedures and all are done
    select
        region_code, lead_unit, year, month, as_of_date,
        '前期手续办结率' as rate_name, cohort, 'project' as variant, project_id as member_id,
        1 as in_cohort,
        case when n_required > 0 then 1 else 0 end as has_data,
        case when n_required > 0 and n_done = n_required then 1 else 0 end as num_value,
        1 as den_value
    from procedure_by_project
),

-- 招商引资落地率: deals of the report year (signed by the month end) and the whole prior-year
-- cohort; 落地 = land_approved_date ≤ month end; terminated (终止) deals stay in the denominator
deal_base as (
    select
        deals.contract_id,
        deals.region_code,
        coalesce(linked.lead_unit, deals.submitting_unit, '（未填报）') as lead_unit,
        {{ year_of('deals.signed_date') }} as signed_year,
        deals.signed_date,
        -- an unreadable 签约金额 (null) keeps the deal in every count; it adds 0 to the amount variant and is
        -- reported as not covered there
        coalesce(deals.contract_amount, 0) as contract_amount,
        case when deals.contract_amount is null then 0 else 1 end as has_amount,
        deals.land_approved_date
    from deals
    left join projects as linked on deals.project_id = linked.project_id
),

deal_months as (
    select
        deal_base.*,
        months.year,
        months.month,
        months.as_of_date,
        case when deal_base.signed_year = months.year then 'signed_in_year' else 'signed_prior_year' end as cohort,
        case
            when deal_base.signed_year = months.year
                then {{ flag_on_or_before('deal_base.signed_date', 'months.as_of_date') }}
            else 1
        end as in_cohort,
        {{ flag_on_or_before('deal_base.land_approved_date', 'months.as_of_date') }} as is_landed
    from deal_base
    inner join months
        on deal_base.region_code = months.region_code
        and deal_base.signed_year in (months.year, months.year - 1)
),

landing_facts as (
    select
        region_code, lead_unit, year, month, as_of_date,
        '招商引资落地率' as rate_name, cohort, 'count' as variant, contract_id as member_id,
        in_cohort,
        1 as has_data,
        in_cohort * is_landed as num_value,
        in_cohort as den_value
    from deal_months
    union all
    select
        region_code, lead_unit, year, month, as_of_date,
        '招商引资落地率' as rate_name, cohort, 'amount' as variant, contract_id as member_id,
        in_cohort,
        has_amount as has_data,
        in_cohort * is_landed * contract_amount as num_value,
        in_cohort * contract_amount as den_value
    from deal_months
),

unioned as (
    select * from landing_facts
    union all
    select * from procedure_facts
    union all
    select * from date_facts
    union all
    select * from start_facts
),

-- the types DuckDB gives the union, stated so that every engine keeps them (PostgreSQL drops the scale)
final as (
    select
        region_code, lead_unit, year, month, as_of_date, rate_name, cohort, variant, member_id, in_cohort,
        has_data,
        cast(num_value as decimal(38, 4)) as num_value,
        cast(den_value as decimal(23, 4)) as den_value
    from unioned
)

select * from final
