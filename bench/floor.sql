-- The floor: the main marts computed by one hand-run DuckDB script, no framework (issue 6).
--
--     .venv/bin/python bench/stages.py floor DATA_DIR     (on DATA_DIR/floor_input.duckdb, a warehouse copy)
--     .venv/bin/python bench/check_floor.py WAREHOUSE     (runs it on a copy and compares with the marts)
-- or any DuckDB client: SET file_search_path = '<repo>/seeds'; then this file.
--
-- Reads the same raw.* tables as dbt (latest revision per natural key, minus the rows the data-quality
-- checks hold back in raw.dq_excluded_rows, exactly as the staging models do) and the reference CSVs of
-- seeds/ (found through file_search_path), and writes schema `floor`: the staging and intermediate
-- relations once each, then the marts with the same grain, columns and figures as dbt's:
--   mart_target_progress, mart_five_rates (+ mart_investment_attraction, which the rate metrics read),
--   mart_project_progress, mart_snail_projects, mart_region_monthly_investment, mart_funding,
--   mart_fund_deadlines, and every intermediate model they depend on.
-- Not computed (not main marts, nothing above reads them): mart_four_batches, mart_investment_structure,
-- mart_plan_conflicts, mart_unit_scorecard.
--
-- What the framework adds and this script leaves out: dbt start-up and parsing, the seeds' load through
-- agate, one statement + transaction + rename per model, views re-planned at every reference (staging is
-- materialised once here), and the ~190 data tests and ~20 unit tests.
--
-- The model SQL below started as dbt's compiled SQL of the models at commit da43128 (so the figures
-- agree by construction), rewritten once into this plain script — no Jinja, no ref(), QUALIFY + ANTI
-- JOIN for the latest revision, comments dropped — and not regenerated since: it is a fixed reference.
-- When a mart changes, bench/check_floor.py says so; port the change here.

create schema if not exists floor;

-- reference data, typed as dbt_project.yml types the seeds
create or replace table floor.code_lists as
select * from read_csv('code_lists.csv', header = true, all_varchar = true,
    types = {'sort_order': 'integer'});
create or replace table floor.dim_region as
select * from read_csv('dim_region.csv', header = true, all_varchar = true);
create or replace table floor.dim_unit as
select * from read_csv('dim_unit.csv', header = true, all_varchar = true);
create or replace table floor.plan_targets as
select * from read_csv('plan_targets.csv', header = true, all_varchar = true,
    types = {'plan_year': 'integer', 'target_value': 'decimal(20,6)', 'due_date': 'date'});
create or replace table floor.policy_deadlines as
select * from read_csv('policy_deadlines.csv', header = true, all_varchar = true,
    types = {'applies_year': 'integer', 'due_date': 'date', 'threshold_ratio': 'decimal(12,6)'});
create or replace table floor.dim_report_month as
select * from read_csv('dim_report_month.csv', header = true, all_varchar = true,
    types = {'month': 'integer', 'months_covered': 'integer', 'quarter': 'integer',
             'is_quarter_end': 'boolean', 'time_pace': 'decimal(12,6)'});
create or replace table floor.dim_fund_type as
select * from read_csv('dim_fund_type.csv', header = true, all_varchar = true,
    types = {'is_central_provincial': 'boolean', 'is_policy_fund': 'boolean', 'is_free_grant': 'boolean',
             'is_bond': 'boolean'});

-- stg_raw__projects
create or replace table floor.stg_raw__projects as
with
source as (
    select ranked.* from (
        select * from raw.projects
        qualify row_number() over (partition by project_id order by _revision desc) = 1
    ) as ranked
    anti join (select * from raw.dq_excluded_rows where entity = 'projects') as excluded
        on excluded._file_id = ranked._file_id and excluded._sheet is not distinct from ranked._sheet
        and excluded._source_row = ranked._source_row
),
renamed as (
    select
        cast(project_id as varchar) as project_id,
        cast(national_code as varchar) as national_code,
        cast(project_name as varchar) as project_name,
        cast(region_code as varchar) as region_code,
        cast(town as varchar) as town,
        cast(industry_code as varchar) as industry_code,
        cast(construction_nature as varchar) as construction_nature,
        cast(investment_type as varchar) as investment_type,
        cast(holding_type as varchar) as holding_type,
        cast(key_level as varchar) as key_level,
        cast(stage as varchar) as stage,
        cast(lead_unit as varchar) as lead_unit,
        cast(owner_unit as varchar) as owner_unit,
        cast(leader as varchar) as leader,
        cast(total_investment as decimal(18,4)) as total_investment,
        cast(planned_start_date as date) as planned_start_date,
        cast(planned_completion_date as date) as planned_completion_date,
        cast(actual_start_date as date) as actual_start_date,
        cast(actual_completion_date as date) as actual_completion_date,
        cast(actual_operation_date as date) as actual_operation_date,
        cast(in_stats_library as boolean) as in_stats_library,
        cast(stats_entry_date as date) as stats_entry_date,
        cast(is_industrial as boolean) as is_industrial,
        cast(is_new_capacity as boolean) as is_new_capacity,
        cast(construction_content as varchar) as construction_content,
        cast(_file_id as varchar) as source_file_id,
        cast(_source_file as varchar) as source_file,
        cast(_sheet as varchar) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as varchar) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)
select * from renamed
;
-- stg_raw__annual_plans
create or replace table floor.stg_raw__annual_plans as
with
source as (
    select ranked.* from (
        select * from raw.annual_plans
        qualify row_number() over (partition by project_id, plan_year, plan_version order by _revision desc) = 1
    ) as ranked
    anti join (select * from raw.dq_excluded_rows where entity = 'annual_plans') as excluded
        on excluded._file_id = ranked._file_id and excluded._sheet is not distinct from ranked._sheet
        and excluded._source_row = ranked._source_row
),
renamed as (
    select
        cast(project_id as varchar) as project_id,
        cast(project_name as varchar) as project_name,
        cast(plan_year as integer) as plan_year,
        cast(plan_version as varchar) as plan_version,
        cast(plan_category as varchar) as plan_category,
        cast(annual_planned_investment as decimal(18,4)) as annual_planned_investment,
        cast(planned_start_month as integer) as planned_start_month,
        cast(planned_completion_in_year as boolean) as planned_completion_in_year,
        cast(_file_id as varchar) as source_file_id,
        cast(_source_file as varchar) as source_file,
        cast(_sheet as varchar) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as varchar) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)
select * from renamed
;
-- stg_raw__monthly_progress
create or replace table floor.stg_raw__monthly_progress as
with
source as (
    select ranked.* from (
        select * from raw.monthly_progress
        qualify row_number() over (partition by project_id, year, month, basis order by _revision desc) = 1
    ) as ranked
    anti join (select * from raw.dq_excluded_rows where entity = 'monthly_progress') as excluded
        on excluded._file_id = ranked._file_id and excluded._sheet is not distinct from ranked._sheet
        and excluded._source_row = ranked._source_row
),
renamed as (
    select
        cast(project_id as varchar) as project_id,
        cast(project_name as varchar) as project_name,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cast(basis as varchar) as basis,
        cast(ytd_completed as decimal(18,4)) as ytd_completed,
        cast(since_start_completed as decimal(18,4)) as since_start_completed,
        cast(month_completed as decimal(18,4)) as month_completed,
        cast(ytd_funds_in_place as decimal(18,4)) as ytd_funds_in_place,
        cast(physical_progress as decimal(12,6)) as physical_progress,
        cast(progress_note as varchar) as progress_note,
        cast(build_status as varchar) as build_status,
        cast(problems as varchar) as problems,
        cast(_file_id as varchar) as source_file_id,
        cast(_source_file as varchar) as source_file,
        cast(_sheet as varchar) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as varchar) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)
select * from renamed
;
-- stg_raw__procedures
create or replace table floor.stg_raw__procedures as
with
source as (
    select ranked.* from (
        select * from raw.procedures
        qualify row_number() over (partition by project_id, procedure_type order by _revision desc) = 1
    ) as ranked
    anti join (select * from raw.dq_excluded_rows where entity = 'procedures') as excluded
        on excluded._file_id = ranked._file_id and excluded._sheet is not distinct from ranked._sheet
        and excluded._source_row = ranked._source_row
),
renamed as (
    select
        cast(project_id as varchar) as project_id,
        cast(project_name as varchar) as project_name,
        cast(procedure_type as varchar) as procedure_type,
        cast(is_required as boolean) as is_required,
        cast(status as varchar) as status,
        cast(submitted_date as date) as submitted_date,
        cast(approved_date as date) as approved_date,
        cast(doc_no as varchar) as doc_no,
        cast(approving_dept as varchar) as approving_dept,
        cast(_file_id as varchar) as source_file_id,
        cast(_source_file as varchar) as source_file,
        cast(_sheet as varchar) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as varchar) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)
select * from renamed
;
-- stg_raw__investment_contracts
create or replace table floor.stg_raw__investment_contracts as
with
source as (
    select ranked.* from (
        select * from raw.investment_contracts
        qualify row_number() over (partition by contract_id order by _revision desc) = 1
    ) as ranked
    anti join (select * from raw.dq_excluded_rows where entity = 'investment_contracts') as excluded
        on excluded._file_id = ranked._file_id and excluded._sheet is not distinct from ranked._sheet
        and excluded._source_row = ranked._source_row
),
renamed as (
    select
        cast(contract_id as varchar) as contract_id,
        cast(project_name as varchar) as project_name,
        cast(region_code as varchar) as region_code,
        cast(investor as varchar) as investor,
        cast(investor_origin as varchar) as investor_origin,
        cast(signing_event as varchar) as signing_event,
        cast(signed_date as date) as signed_date,
        cast(contract_amount as decimal(18,4)) as contract_amount,
        cast(land_approved_date as date) as land_approved_date,
        cast(land_doc_no as varchar) as land_doc_no,
        cast(status as varchar) as status,
        cast(funds_in_place as decimal(18,4)) as funds_in_place,
        cast(funds_in_place_usd as decimal(18,4)) as funds_in_place_usd,
        cast(project_id as varchar) as project_id,
        cast(_file_id as varchar) as source_file_id,
        cast(_source_file as varchar) as source_file,
        cast(_sheet as varchar) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as varchar) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)
select * from renamed
;
-- stg_raw__funds
create or replace table floor.stg_raw__funds as
with
source as (
    select ranked.* from (
        select * from raw.funds
        qualify row_number() over (partition by project_id, fund_type, fund_year, batch order by _revision desc) = 1
    ) as ranked
    anti join (select * from raw.dq_excluded_rows where entity = 'funds') as excluded
        on excluded._file_id = ranked._file_id and excluded._sheet is not distinct from ranked._sheet
        and excluded._source_row = ranked._source_row
),
renamed as (
    select
        cast(project_id as varchar) as project_id,
        cast(project_name as varchar) as project_name,
        cast(fund_type as varchar) as fund_type,
        cast(fund_year as integer) as fund_year,
        cast(batch as varchar) as batch,
        cast(fund_category as varchar) as fund_category,
        cast(requested_amount as decimal(18,4)) as requested_amount,
        cast(issued_amount as decimal(18,4)) as issued_amount,
        cast(issued_date as date) as issued_date,
        cast(received_amount as decimal(18,4)) as received_amount,
        cast(received_date as date) as received_date,
        cast(paid_amount as decimal(18,4)) as paid_amount,
        cast(paid_as_of as date) as paid_as_of,
        cast(doc_no as varchar) as doc_no,
        cast(_file_id as varchar) as source_file_id,
        cast(_source_file as varchar) as source_file,
        cast(_sheet as varchar) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as varchar) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)
select * from renamed
;
-- stg_raw__indicator_reports
create or replace table floor.stg_raw__indicator_reports as
with
source as (
    select ranked.* from (
        select * from raw.indicator_reports
        qualify row_number() over (partition by region_code, indicator_code, year, month order by _revision desc) = 1
    ) as ranked
    anti join (select * from raw.dq_excluded_rows where entity = 'indicator_reports') as excluded
        on excluded._file_id = ranked._file_id and excluded._sheet is not distinct from ranked._sheet
        and excluded._source_row = ranked._source_row
),
renamed as (
    select
        cast(region_code as varchar) as region_code,
        cast(indicator_code as varchar) as indicator_code,
        cast(indicator_name as varchar) as indicator_name,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cast(value as double) as value,
        cast(unit as varchar) as unit,
        cast(note as varchar) as note,
        cast(_file_id as varchar) as source_file_id,
        cast(_source_file as varchar) as source_file,
        cast(_sheet as varchar) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as varchar) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)
select * from renamed
;
-- stg_raw__fai_aggregates
create or replace table floor.stg_raw__fai_aggregates as
with
source as (
    select ranked.* from (
        select * from raw.fai_aggregates
        qualify row_number() over (partition by region_code, indicator_code, year, month order by _revision desc) = 1
    ) as ranked
    anti join (select * from raw.dq_excluded_rows where entity = 'fai_aggregates') as excluded
        on excluded._file_id = ranked._file_id and excluded._sheet is not distinct from ranked._sheet
        and excluded._source_row = ranked._source_row
),
renamed as (
    select
        cast(region_code as varchar) as region_code,
        cast(indicator_code as varchar) as indicator_code,
        cast(indicator_name as varchar) as indicator_name,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cast(value as decimal(18,4)) as value,
        cast(yoy_growth as decimal(12,6)) as yoy_growth,
        cast(share as decimal(12,6)) as share,
        cast(_file_id as varchar) as source_file_id,
        cast(_source_file as varchar) as source_file,
        cast(_sheet as varchar) as source_sheet,
        cast(_source_row as integer) as source_row,
        cast(_submitting_unit as varchar) as submitting_unit,
        cast(_revision as integer) as revision,
        cast(_ingested_at as timestamp) as ingested_at
    from source
)
select * from renamed
;
-- int_annual_plans_versioned
create or replace table floor.int_annual_plans_versioned as
with
plans as (
    select * from floor.stg_raw__annual_plans
),
ranked as (
    select
        plans.*,
        row_number() over (
            partition by project_id, plan_year
            order by case when plan_version = '中期调整' then 2 else 1 end desc, ingested_at desc
        ) as latest_rank
    from plans
),
initial_plan as (
    select project_id, plan_year, annual_planned_investment
    from plans
    where plan_version = '年初'
),
latest_plan as (
    select * from ranked where latest_rank = 1
),
final as (
    select
        latest_plan.project_id,
        latest_plan.plan_year,
        latest_plan.plan_version as latest_plan_version,
        latest_plan.plan_category,
        latest_plan.planned_start_month,
        latest_plan.planned_completion_in_year,
        initial_plan.annual_planned_investment as annual_plan_initial,
        latest_plan.annual_planned_investment as annual_plan_latest
    from latest_plan
    left join initial_plan
        on latest_plan.project_id = initial_plan.project_id
        and latest_plan.plan_year = initial_plan.plan_year
)
select * from final
;
-- int_projects_enriched
create or replace table floor.int_projects_enriched as
with
projects as (
    select * from floor.stg_raw__projects
),
regions as (
    select region_code, name_zh as region_name from floor.dim_region
),
final as (
    select
        projects.project_id,
        projects.national_code,
        projects.project_name,
        projects.region_code,
        regions.region_name,
        projects.town,
        projects.industry_code,
        projects.construction_nature,
        projects.investment_type,
        projects.holding_type,
        projects.key_level,
        projects.stage,
        projects.lead_unit,
        projects.owner_unit,
        projects.leader,
        projects.total_investment,
        projects.planned_start_date,
        projects.planned_completion_date,
        projects.actual_start_date,
        projects.actual_completion_date,
        projects.actual_operation_date,
        coalesce(projects.actual_operation_date, projects.actual_completion_date) as completed_date,
        coalesce(projects.in_stats_library, false) as in_stats_library,
        projects.stats_entry_date,
        coalesce(projects.is_industrial, false) as is_industrial,
        coalesce(projects.is_new_capacity, false) as is_new_capacity,
        projects.key_level is not null as is_key_project,
        coalesce(projects.key_level in ('国家级', '省级', '市级'), false) as is_city_key_project,
        coalesce(projects.holding_type in ('2', '3'), false) as is_private
    from projects
    left join regions on projects.region_code = regions.region_code
)
select * from final
;
-- int_report_months
create or replace table floor.int_report_months as
with
regions as (
    select region_code from floor.dim_region where level in ('county', 'district')
    union
    select distinct region_code from floor.stg_raw__projects where region_code is not null
),
years as (
    select distinct plan_year as year from floor.plan_targets
    union
    select distinct plan_year from floor.int_annual_plans_versioned
    union
    select distinct year from floor.stg_raw__monthly_progress
),
months as (
    select * from floor.dim_report_month
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
        cast(cast(years.year as varchar) || '-' || lpad(cast(months.month as varchar), 2, '0') || '-01' as date) as month_start_date,
        cast(cast(
    (
    (date_trunc('month', cast(cast(years.year as varchar) || '-' || lpad(cast(months.month as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date) as as_of_date
    from regions
    cross join years
    cross join months
)
select * from final
;
-- int_progress_monthly_filled
create or replace table floor.int_progress_monthly_filled as
with
progress as (
    select * from floor.stg_raw__monthly_progress
),
plans as (
    select project_id, plan_year from floor.int_annual_plans_versioned
),
months as (
    select month from floor.dim_report_month
),
project_years as (
    select distinct project_id, year, basis from progress
    union
    select project_id, plan_year as year, 'DISPATCH' as basis from plans
),
spine as (
    select project_years.project_id, project_years.year, project_years.basis, months.month
    from project_years
    cross join months
),
last_report as (
    select
        spine.project_id,
        spine.year,
        spine.basis,
        spine.month,
        max(progress.month) as last_reported_month
    from spine
    left join progress
        on spine.project_id = progress.project_id
        and spine.year = progress.year
        and spine.basis = progress.basis
        and progress.month <= spine.month
    group by spine.project_id, spine.year, spine.basis, spine.month
),
filled as (
    select
        last_report.project_id,
        last_report.year,
        last_report.month,
        last_report.basis,
        last_report.last_reported_month,
        last_report.last_reported_month = last_report.month as is_reported,
        coalesce(progress.ytd_completed, 0) as ytd_completed,
        progress.since_start_completed,
        progress.ytd_funds_in_place,
        progress.physical_progress,
        progress.build_status,
        progress.problems,
        progress.submitting_unit
    from last_report
    left join progress
        on last_report.project_id = progress.project_id
        and last_report.year = progress.year
        and last_report.basis = progress.basis
        and last_report.last_reported_month = progress.month
),
final as (
    select
        filled.*,
        coalesce(filled.is_reported, false) as has_report_this_month,
        filled.ytd_completed - coalesce(
            lag(filled.ytd_completed) over (
                partition by filled.project_id, filled.year, filled.basis order by filled.month
            ),
            0
        ) as month_completed
    from filled
)
select
    project_id, year, month, basis, last_reported_month, has_report_this_month, ytd_completed,
    month_completed, since_start_completed, ytd_funds_in_place, physical_progress, build_status, problems,
    submitting_unit
from final
;
-- int_project_stage_monthly
create or replace table floor.int_project_stage_monthly as
with
projects as (
    select * from floor.int_projects_enriched
),
months as (
    select * from floor.int_report_months
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
;
-- mart_five_rates
create or replace table floor.mart_five_rates as
with
months as (
    select region_code, year, month, as_of_date from floor.int_report_months
),
projects as (
    select * from floor.int_projects_enriched
),
plans as (
    select * from floor.int_annual_plans_versioned
),
progress as (
    select project_id, year, month, ytd_completed
    from floor.int_progress_monthly_filled
    where basis = 'DISPATCH'
),
required_procedures as (
    select project_id, procedure_type, status, approved_date
    from floor.stg_raw__procedures
    where coalesce(is_required, true) and coalesce(status, '') <> '不适用'
),
deals as (
    select * from floor.stg_raw__investment_contracts
),
planned_projects as (
    select
        plans.project_id,
        projects.region_code,
        coalesce(projects.lead_unit, '（未填报）') as lead_unit,
        plans.plan_year as year,
        plans.plan_category,
        plans.planned_start_month,
        coalesce(plans.planned_completion_in_year, false)
        or coalesce(plans.plan_category = '竣工', false) as is_due_to_complete,
        plans.annual_plan_initial,
        plans.annual_plan_latest,
        projects.is_key_project,
        projects.is_city_key_project,
        projects.actual_start_date,
        projects.completed_date
    from plans
    inner join projects on plans.project_id = projects.project_id
),
project_cohorts as (
    select planned_projects.*, 'county_new_start_key' as cohort
    from planned_projects where plan_category = '新开工' and is_key_project
    union all
    select planned_projects.*, 'city_new_start_key' as cohort
    from planned_projects where plan_category = '新开工' and is_city_key_project
    union all
    select planned_projects.*, 'all_new_start' as cohort
    from planned_projects where plan_category = '新开工'
    union all
    select planned_projects.*, 'all_key' as cohort
    from planned_projects where is_key_project
    union all
    select planned_projects.*, 'city_key' as cohort
    from planned_projects where is_city_key_project
    union all
    select planned_projects.*, 'all_planned' as cohort
    from planned_projects
    union all
    select planned_projects.*, 'all_due_completion' as cohort
    from planned_projects where is_due_to_complete
    union all
    select planned_projects.*, 'key_due_completion' as cohort
    from planned_projects where is_due_to_complete and is_key_project
),
project_months as (
    select
        project_cohorts.*,
        months.month,
        months.as_of_date
    from project_cohorts
    inner join months
        on project_cohorts.region_code = months.region_code
        and project_cohorts.year = months.year
),
start_facts as (
    select
        region_code, lead_unit, year, month, as_of_date,
        '储备项目开工率' as rate_name, cohort, 'project' as variant, project_id as member_id,
        1 as in_cohort,
        case when actual_start_date is not null and actual_start_date <= as_of_date then 1 else 0 end as num_value,
        1 as den_value
    from project_months
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
    union all
    select
        region_code, lead_unit, year, month, as_of_date,
        '储备项目开工率' as rate_name, cohort, 'scheduled' as variant, project_id as member_id,
        case when planned_start_month <= month then 1 else 0 end as in_cohort,
        case
            when planned_start_month <= month
                then case when actual_start_date is not null and actual_start_date <= as_of_date then 1 else 0 end
            else 0
        end as num_value,
        case when planned_start_month <= month then 1 else 0 end as den_value
    from project_months
    where cohort in ('county_new_start_key', 'city_new_start_key', 'all_new_start')
),
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
        n_done as num_value,
        n_required as den_value
    from procedure_by_project
    union all
    select
        region_code, lead_unit, year, month, as_of_date,
        '前期手续办结率' as rate_name, cohort, 'project' as variant, project_id as member_id,
        1 as in_cohort,
        case when n_required > 0 and n_done = n_required then 1 else 0 end as num_value,
        1 as den_value
    from procedure_by_project
),
plan_completion_facts as (
    select
        project_months.region_code, project_months.lead_unit, project_months.year, project_months.month,
        project_months.as_of_date,
        '计划投资完成率' as rate_name, project_months.cohort, 'latest_plan' as variant,
        project_months.project_id as member_id,
        1 as in_cohort,
        coalesce(progress.ytd_completed, 0) as num_value,
        coalesce(project_months.annual_plan_latest, 0) as den_value
    from project_months
    left join progress
        on project_months.project_id = progress.project_id
        and project_months.year = progress.year
        and project_months.month = progress.month
    where project_months.cohort in ('all_key', 'city_key', 'all_planned')
    union all
    select
        project_months.region_code, project_months.lead_unit, project_months.year, project_months.month,
        project_months.as_of_date,
        '计划投资完成率' as rate_name, project_months.cohort, 'initial_plan' as variant,
        project_months.project_id as member_id,
        case when project_months.annual_plan_initial is not null then 1 else 0 end as in_cohort,
        case
            when project_months.annual_plan_initial is not null then coalesce(progress.ytd_completed, 0)
            else 0
        end as num_value,
        coalesce(project_months.annual_plan_initial, 0) as den_value
    from project_months
    left join progress
        on project_months.project_id = progress.project_id
        and project_months.year = progress.year
        and project_months.month = progress.month
    where project_months.cohort in ('all_key', 'city_key', 'all_planned')
),
completion_facts as (
    select
        region_code, lead_unit, year, month, as_of_date,
        '竣工投产达效率' as rate_name, cohort, 'project' as variant, project_id as member_id,
        1 as in_cohort,
        case when completed_date is not null and completed_date <= as_of_date then 1 else 0 end as num_value,
        1 as den_value
    from project_months
    where cohort in ('all_due_completion', 'key_due_completion')
),
deal_base as (
    select
        deals.contract_id,
        deals.region_code,
        coalesce(linked.lead_unit, deals.submitting_unit, '（未填报）') as lead_unit,
        cast(extract(year from deals.signed_date) as integer) as signed_year,
        deals.signed_date,
        coalesce(deals.contract_amount, 0) as contract_amount,
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
                then case when deal_base.signed_date is not null and deal_base.signed_date <= months.as_of_date then 1 else 0 end
            else 1
        end as in_cohort,
        case when deal_base.land_approved_date is not null and deal_base.land_approved_date <= months.as_of_date then 1 else 0 end as is_landed
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
        in_cohort * is_landed as num_value,
        in_cohort as den_value
    from deal_months
    union all
    select
        region_code, lead_unit, year, month, as_of_date,
        '招商引资落地率' as rate_name, cohort, 'amount' as variant, contract_id as member_id,
        in_cohort,
        in_cohort * is_landed * contract_amount as num_value,
        in_cohort * contract_amount as den_value
    from deal_months
),
all_facts as (
    select * from landing_facts
    union all
    select * from procedure_facts
    union all
    select * from start_facts
    union all
    select * from plan_completion_facts
    union all
    select * from completion_facts
),
scopes as (
    select 'region' as scope
    union all
    select 'lead_unit' as scope
),
scoped as (
    select
        all_facts.region_code,
        all_facts.year,
        all_facts.month,
        all_facts.as_of_date,
        scopes.scope,
        case when scopes.scope = 'lead_unit' then all_facts.lead_unit end as lead_unit,
        all_facts.rate_name,
        all_facts.cohort,
        all_facts.variant,
        all_facts.member_id,
        all_facts.in_cohort,
        all_facts.num_value,
        all_facts.den_value
    from all_facts
    cross join scopes
),
aggregated as (
    select
        region_code,
        year,
        month,
        as_of_date,
        scope,
        lead_unit,
        rate_name,
        cohort,
        variant,
        count(distinct case when in_cohort = 1 then member_id end) as cohort_size,
        sum(num_value) as numerator,
        sum(den_value) as denominator
    from scoped
    group by region_code, year, month, as_of_date, scope, lead_unit, rate_name, cohort, variant
),
final as (
    select
        region_code,
        year,
        month,
        as_of_date,
        scope,
        lead_unit,
        rate_name,
        case rate_name
            when '招商引资落地率' then 'investment deal landing rate'
            when '前期手续办结率' then 'pre-construction approval completion rate'
            when '储备项目开工率' then 'new-start project commencement rate'
            when '计划投资完成率' then 'annual plan investment completion rate'
            when '竣工投产达效率' then 'completion and operation rate'
        end as rate_name_en,
        cohort,
        variant,
        case
            when rate_name = '招商引资落地率' and variant = 'count' then true
            when rate_name = '前期手续办结率' and variant = 'procedure' then true
            when rate_name in ('储备项目开工率', '竣工投产达效率') and variant = 'project' then true
            when rate_name = '计划投资完成率' and variant = 'latest_plan' then true
            else false
        end as is_primary,
        case
            when rate_name = '招商引资落地率' and variant = 'amount' then '万元'
            when rate_name = '招商引资落地率' then 'deal'
            when rate_name = '前期手续办结率' and variant = 'procedure' then 'procedure'
            when rate_name = '计划投资完成率' then '万元'
            else 'project'
        end as counted_in,
        case rate_name
            when '招商引资落地率' then 'investment_contracts'
            when '前期手续办结率' then 'procedures'
            when '计划投资完成率' then 'monthly_progress:DISPATCH'
            else 'projects'
        end as source_ledger,
        case
            when rate_name = '招商引资落地率' and cohort = 'signed_prior_year' and variant = 'count'
                then 'rate:招商引资落地率'
            when rate_name in ('前期手续办结率') and variant = 'procedure'
                and cohort in ('county_new_start_key', 'city_new_start_key')
                then 'rate:' || rate_name || '@' || cohort
            when rate_name in ('储备项目开工率') and variant = 'project'
                and cohort in ('county_new_start_key', 'city_new_start_key')
                then 'rate:' || rate_name || '@' || cohort
            when rate_name = '竣工投产达效率' and cohort = 'all_due_completion' and variant = 'project'
                then 'rate:竣工投产达效率'
        end as metric_key,
        cohort_size,
        cast(numerator as decimal(20, 6)) as numerator,
        cast(denominator as decimal(20, 6)) as denominator,
        case
        when denominator <> 0
            then cast((numerator) * 1.0 / (denominator) as decimal(12, 6))
    end as rate
    from aggregated
)
select * from final
;
-- mart_investment_attraction
create or replace table floor.mart_investment_attraction as
with
months as (
    select region_code, year, month, as_of_date from floor.int_report_months
),
deals as (
    select
        contract_id,
        region_code,
        cast(extract(year from signed_date) as integer) as signed_year,
        signed_date,
        investor_origin,
        status,
        coalesce(contract_amount, 0) as contract_amount,
        land_approved_date,
        funds_in_place,
        funds_in_place_usd
    from floor.stg_raw__investment_contracts
),
signed_in_year as (
    select
        months.region_code,
        months.year,
        months.month,
        count(deals.contract_id) as deals_signed,
        sum(deals.contract_amount) as signed_total_wan,
        sum(case when deals.status = '终止' then 1 else 0 end) as deals_terminated,
        sum(case when deals.status = '终止' then deals.contract_amount else 0 end) as terminated_amount_wan,
        sum(
            case when deals.investor_origin in ('省外', '境外') then deals.contract_amount else 0 end
        ) as out_of_province_total_wan,
        sum(case when deals.investor_origin = '境外' then deals.contract_amount else 0 end) as overseas_total_wan,
        sum(case when deals.land_approved_date is not null and deals.land_approved_date <= months.as_of_date then 1 else 0 end) as deals_landed,
        sum(
            case when deals.land_approved_date is not null and deals.land_approved_date <= months.as_of_date then 1 else 0 end * deals.contract_amount
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
prior_year as (
    select
        months.region_code,
        months.year,
        months.month,
        count(deals.contract_id) as prior_year_deals,
        sum(deals.contract_amount) as prior_year_signed_wan,
        sum(case when deals.land_approved_date is not null and deals.land_approved_date <= months.as_of_date then 1 else 0 end) as prior_year_deals_landed,
        sum(
            case when deals.land_approved_date is not null and deals.land_approved_date <= months.as_of_date then 1 else 0 end * deals.contract_amount
        ) as prior_year_landed_wan,
        sum(
            case when deals.signed_date is not null and deals.signed_date <= cast(cast(
    (
    (date_trunc('month', cast(cast(months.year - 1 as varchar) || '-' || lpad(cast(months.month as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date) then 1 else 0 end
        ) as prior_year_deals_same_period,
        sum(
            case when deals.signed_date is not null and deals.signed_date <= cast(cast(
    (
    (date_trunc('month', cast(cast(months.year - 1 as varchar) || '-' || lpad(cast(months.month as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date) then 1 else 0 end
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
        case
        when deals_signed <> 0
            then cast((deals_landed) * 1.0 / (deals_signed) as decimal(12, 6))
    end as landing_rate,
        case
        when signed_total_wan <> 0
            then cast((landed_amount_wan) * 1.0 / (signed_total_wan) as decimal(12, 6))
    end as landing_rate_amount,
        prior_year_deals,
        prior_year_deals_landed,
        case
        when prior_year_deals <> 0
            then cast((prior_year_deals_landed) * 1.0 / (prior_year_deals) as decimal(12, 6))
    end as prior_year_landing_rate,
        case
        when prior_year_signed_wan <> 0
            then cast((prior_year_landed_wan) * 1.0 / (prior_year_signed_wan) as decimal(12, 6))
    end as prior_year_landing_rate_amount,
        cast(foreign_capital_usd as decimal(20, 4)) as foreign_capital_usd,
        cast(domestic_capital_wan as decimal(20, 4)) as domestic_capital_wan,
        prior_year_deals_same_period,
        cast(domestic_capital_prior_year_wan as decimal(20, 4)) as domestic_capital_prior_year_wan,
        case
            when prior_year_deals_same_period > 0
                then case
        when domestic_capital_prior_year_wan <> 0
            then cast((domestic_capital_wan - domestic_capital_prior_year_wan) * 1.0 / (domestic_capital_prior_year_wan) as decimal(12, 6))
    end
        end as domestic_capital_growth
    from joined
)
select * from final
;
-- mart_project_progress
create or replace table floor.mart_project_progress as
with
months as (
    select * from floor.int_report_months
),
projects as (
    select * from floor.int_projects_enriched
),
plans as (
    select * from floor.int_annual_plans_versioned
),
progress as (
    select * from floor.int_progress_monthly_filled
),
stages as (
    select project_id, year, month, stage_at_month from floor.int_project_stage_monthly
),
build_status_labels as (
    select code, label_zh from floor.code_lists where list_name = 'build_status'
),
project_years as (
    select distinct progress.project_id, progress.year, projects.region_code
    from progress
    inner join projects on progress.project_id = projects.project_id
),
region_data_months as (
    select project_years.region_code, project_years.year, max(progress.month) as data_month
    from progress
    inner join project_years
        on progress.project_id = project_years.project_id
        and progress.year = project_years.year
    where progress.has_report_this_month
    group by project_years.region_code, project_years.year
),
spine as (
    select
        project_years.project_id,
        project_years.region_code,
        months.year,
        months.month,
        months.period_label,
        months.quarter,
        months.is_quarter_end,
        months.time_pace,
        months.as_of_date
    from project_years
    inner join months
        on project_years.region_code = months.region_code
        and project_years.year = months.year
    inner join region_data_months
        on project_years.region_code = region_data_months.region_code
        and project_years.year = region_data_months.year
    where months.month <= region_data_months.data_month
),
joined as (
    select
        spine.*,
        projects.region_name,
        projects.project_name,
        projects.lead_unit,
        projects.key_level,
        projects.is_key_project,
        projects.is_city_key_project,
        projects.total_investment,
        projects.actual_start_date,
        projects.in_stats_library,
        plans.plan_category,
        plans.latest_plan_version,
        coalesce(
            plans.planned_start_month,
            case
                when extract(year from projects.planned_start_date) = spine.year
                    then cast(extract(month from projects.planned_start_date) as integer)
            end
        ) as planned_start_month,
        plans.annual_plan_initial,
        plans.annual_plan_latest,
        stages.stage_at_month,
        dispatch.ytd_completed,
        dispatch.month_completed,
        dispatch.since_start_completed,
        dispatch.build_status,
        dispatch.last_reported_month,
        coalesce(dispatch.has_report_this_month, false) as reported_this_month,
        stats.ytd_completed as stats_ytd_completed,
        stats.last_reported_month as stats_last_reported_month,
        coalesce(stats.has_report_this_month, false) as stats_reported_this_month,
        case
            when projects.actual_start_date >= cast(cast(spine.year as varchar) || '-' || lpad(cast(1 as varchar), 2, '0') || '-01' as date)
                then greatest(2, cast(extract(month from projects.actual_start_date) as integer))
            else 2
        end as first_report_month
    from spine
    inner join projects on spine.project_id = projects.project_id
    left join plans
        on spine.project_id = plans.project_id
        and spine.year = plans.plan_year
    left join stages
        on spine.project_id = stages.project_id
        and spine.year = stages.year
        and spine.month = stages.month
    left join progress as dispatch
        on spine.project_id = dispatch.project_id
        and spine.year = dispatch.year
        and spine.month = dispatch.month
        and dispatch.basis = 'DISPATCH'
    left join progress as stats
        on spine.project_id = stats.project_id
        and spine.year = stats.year
        and spine.month = stats.month
        and stats.basis = 'STATS'
),
measured as (
    select
        joined.*,
        case
            when joined.annual_plan_latest > 0
                then cast(joined.ytd_completed / joined.annual_plan_latest as decimal(12, 6))
        end as completion_ratio,
        case
            when joined.annual_plan_initial > 0
                then cast(joined.ytd_completed / joined.annual_plan_initial as decimal(12, 6))
        end as completion_ratio_initial,
        cast(joined.ytd_completed - joined.annual_plan_latest * joined.time_pace as decimal(18, 4)) as pace_gap_wan,
        case
            when joined.total_investment > 0
                then cast(joined.since_start_completed / joined.total_investment as decimal(12, 6))
        end as since_start_ratio,
        case
            when joined.annual_plan_latest > 0
                then cast(joined.stats_ytd_completed / joined.annual_plan_latest as decimal(12, 6))
        end as stats_completion_ratio,
        joined.month - coalesce(joined.last_reported_month, joined.first_report_month - 1) as months_since_report,
        coalesce(joined.actual_start_date <= joined.as_of_date, false) as is_started
    from joined
),
criteria as (
    select
        measured.*,
        measured.completion_ratio - measured.time_pace as pace_gap,
        measured.annual_plan_latest is not null
        and (measured.is_key_project or not True) as in_snail_cohort,
        coalesce(
            measured.plan_category = '新开工'
            and measured.month > measured.planned_start_month + 1
            and not measured.is_started,
            false
        ) as hit_late_start,
        coalesce(
            measured.stage_at_month not in ('竣工投产', '调出')
            and (coalesce(measured.plan_category, '') <> '新开工' or measured.is_started)
            and (
                measured.completion_ratio < measured.time_pace - 0.2
                or (
                    measured.month >= 9
                    and measured.completion_ratio < 0.5
                )
            ),
            false
        ) as hit_behind_pace,
        coalesce(measured.build_status = '3', false) as hit_suspended,
        coalesce(
            measured.stage_at_month = '开工在建'
            and measured.months_since_report >= 2,
            false
        ) as hit_no_report
    from measured
),
scored as (
    select
        criteria.*,
        case when criteria.hit_late_start then 1 else 0 end
        + case when criteria.hit_behind_pace then 1 else 0 end
        + case when criteria.hit_suspended then 1 else 0 end
        + case when criteria.hit_no_report then 1 else 0 end as snail_score,
        nullif(
            substr(
                case when criteria.hit_late_start then '|late_start' else '' end
                || case when criteria.hit_behind_pace then '|behind_pace' else '' end
                || case when criteria.hit_suspended then '|suspended' else '' end
                || case when criteria.hit_no_report then '|no_report' else '' end,
                2
            ),
            ''
        ) as snail_criteria
    from criteria
),
ranked as (
    select
        scored.*,
        case
            when scored.completion_ratio is not null then rank() over (
                partition by scored.region_code, scored.year, scored.month, scored.completion_ratio is null
                order by scored.completion_ratio desc
            )
        end as rank_completion_in_region,
        case
            when scored.pace_gap_wan is not null then rank() over (
                partition by scored.region_code, scored.year, scored.month, scored.pace_gap_wan is null
                order by scored.pace_gap_wan asc
            )
        end as rank_shortfall_in_region
    from scored
),
final as (
    select
        ranked.region_code,
        ranked.region_name,
        ranked.year,
        ranked.month,
        ranked.period_label,
        ranked.quarter,
        ranked.is_quarter_end,
        ranked.as_of_date,
        ranked.project_id,
        ranked.project_name,
        ranked.lead_unit,
        ranked.key_level,
        ranked.is_key_project,
        ranked.is_city_key_project,
        ranked.plan_category,
        ranked.latest_plan_version,
        ranked.planned_start_month,
        ranked.annual_plan_initial as annual_plan_initial_wan,
        ranked.annual_plan_latest as annual_plan_latest_wan,
        ranked.total_investment as total_investment_wan,
        ranked.actual_start_date,
        ranked.stage_at_month,
        ranked.build_status,
        build_status_labels.label_zh as build_status_label,
        ranked.reported_this_month,
        ranked.last_reported_month,
        ranked.months_since_report,
        ranked.ytd_completed as ytd_completed_wan,
        ranked.month_completed as month_completed_wan,
        ranked.completion_ratio,
        ranked.completion_ratio_initial,
        ranked.time_pace,
        cast(ranked.pace_gap as decimal(12, 6)) as pace_gap,
        ranked.pace_gap_wan,
        ranked.since_start_completed as since_start_completed_wan,
        ranked.since_start_ratio,
        case when ranked.since_start_ratio is not null then ranked.since_start_ratio > 1 end
            as is_since_start_over_total,
        ranked.rank_completion_in_region,
        ranked.rank_shortfall_in_region,
        ranked.in_stats_library,
        ranked.stats_ytd_completed as stats_ytd_completed_wan,
        ranked.stats_completion_ratio,
        ranked.stats_last_reported_month,
        ranked.stats_reported_this_month,
        ranked.in_snail_cohort,
        ranked.hit_late_start,
        ranked.hit_behind_pace,
        ranked.hit_suspended,
        ranked.hit_no_report,
        ranked.snail_score,
        ranked.snail_criteria,
        ranked.in_snail_cohort and ranked.snail_score > 0 as is_snail
    from ranked
    left join build_status_labels on ranked.build_status = build_status_labels.code
)
select * from final
;
-- mart_snail_projects
create or replace table floor.mart_snail_projects as
with
progress as (
    select * from floor.mart_project_progress
),
streaks as (
    select
        progress.*,
        progress.month - coalesce(
            max(case when not progress.is_snail then progress.month end) over (
                partition by progress.project_id, progress.year
                order by progress.month
                rows between unbounded preceding and current row
            ),
            1
        ) as consecutive_months_flagged,
        sum(case when progress.is_snail then 1 else 0 end) over (
            partition by progress.project_id, progress.year, progress.quarter
            order by progress.month
            rows between unbounded preceding and current row
        ) as months_flagged_in_quarter
    from progress
),
flagged as (
    select * from streaks where is_snail
),
reasons as (
    select
        flagged.*,
        substr(
            case
                when flagged.hit_late_start
                    then '；未按期开工：计划' || cast(flagged.planned_start_month as TEXT)
                        || '月开工，截至' || cast(flagged.month as TEXT) || '月末仍未开工'
                else ''
            end
            || case
                when flagged.hit_behind_pace
                    then '；投资进度滞后：完成年度计划的' || cast(cast(round(flagged.completion_ratio * 100, 1) as decimal(12, 1)) as TEXT) || '%'
                        || '，序时进度' || cast(cast(round(flagged.time_pace * 100, 1) as decimal(12, 1)) as TEXT) || '%'
                        || '，落后' || cast(
                            cast(round((flagged.time_pace - flagged.completion_ratio) * 100, 1) as decimal(12, 1))
                            as TEXT
                        ) || '个百分点'
                        || case
                            when flagged.month >= 9
                                and flagged.completion_ratio < 0.5
                                then '，' || cast(9 as TEXT)
                                    || '月起仍低于' || cast(cast(round(0.5 * 100, 1) as decimal(12, 1)) as TEXT) || '%'
                            else ''
                        end
                else ''
            end
            || case
                when flagged.hit_suspended
                    then '；停缓建：' || cast(flagged.last_reported_month as TEXT)
                        || '月调度报送的建设状态为全部停缓建'
                else ''
            end
            || case
                when flagged.hit_no_report
                    then '；未按月报送：已连续' || cast(flagged.months_since_report as TEXT)
                        || '个月未报送调度数据'
                        || case
                            when flagged.last_reported_month is null then '（本年未报送）'
                            else '（最近报送' || cast(flagged.last_reported_month as TEXT) || '月）'
                        end
                else ''
            end,
            2
        ) as snail_reasons_zh,
        rank() over (
            partition by flagged.region_code, flagged.year, flagged.month
            order by
                flagged.snail_score desc,
                case when flagged.pace_gap is null then 1 else 0 end,
                flagged.pace_gap asc
        ) as snail_rank_in_region
    from flagged
),
monthly as (
    select
        'month' as list_type,
        cast(reasons.year as TEXT) || '年' || reasons.period_label as list_period_zh,
        reasons.*
    from reasons
),
quarterly as (
    select
        'quarter' as list_type,
        cast(reasons.year as TEXT) || '年第' || cast(reasons.quarter as TEXT) || '季度' as list_period_zh,
        reasons.*
    from reasons
    where reasons.is_quarter_end
),
unioned as (
    select * from monthly
    union all
    select * from quarterly
),
final as (
    select
        list_type,
        list_period_zh,
        region_code,
        region_name,
        year,
        quarter,
        month,
        as_of_date,
        snail_rank_in_region,
        project_id,
        project_name,
        lead_unit,
        key_level,
        plan_category,
        planned_start_month,
        actual_start_date,
        stage_at_month,
        build_status_label,
        last_reported_month,
        annual_plan_initial_wan,
        annual_plan_latest_wan,
        ytd_completed_wan,
        completion_ratio,
        completion_ratio_initial,
        time_pace,
        pace_gap,
        pace_gap_wan,
        snail_score,
        snail_criteria,
        snail_reasons_zh,
        consecutive_months_flagged,
        months_flagged_in_quarter
    from unioned
)
select * from final
;
-- mart_region_monthly_investment
create or replace table floor.mart_region_monthly_investment as
with
progress as (
    select * from floor.stg_raw__monthly_progress
    where basis = 'DISPATCH'
),
projects as (
    select project_id, region_code from floor.stg_raw__projects
),
plans as (
    select * from floor.int_annual_plans_versioned
),
planned_by_region as (
    select
        projects.region_code,
        plans.plan_year,
        count(*) as projects_planned,
        sum(plans.annual_plan_latest) as annual_plan_wan
    from plans
    inner join projects on plans.project_id = projects.project_id
    group by projects.region_code, plans.plan_year
),
reported_by_region as (
    select
        projects.region_code,
        progress.year,
        progress.month,
        count(*) as projects_reporting,
        sum(progress.ytd_completed) as ytd_completed_wan
    from progress
    inner join projects on progress.project_id = projects.project_id
    group by projects.region_code, progress.year, progress.month
),
final as (
    select
        reported.region_code,
        reported.year,
        reported.month,
        reported.projects_reporting,
        coalesce(planned.projects_planned, 0) as projects_planned,
        reported.ytd_completed_wan,
        planned.annual_plan_wan,
        case
            when planned.annual_plan_wan > 0
                then cast(reported.ytd_completed_wan / planned.annual_plan_wan as decimal(12, 6))
        end as completion_ratio,
        cast(reported.month / 12.0 as decimal(12, 6)) as time_pace
    from reported_by_region as reported
    left join planned_by_region as planned
        on reported.region_code = planned.region_code
        and reported.year = planned.plan_year
)
select
    final.*,
    final.completion_ratio - final.time_pace as pace_gap
from final
;
-- mart_funding
create or replace table floor.mart_funding as
with
funds as (
    select
        funds.project_id || '|' || funds.fund_type || '|'
        || cast(funds.fund_year as TEXT) || '|' || coalesce(funds.batch, '') as fund_row_key,
        funds.project_id,
        coalesce(projects.project_name, funds.project_name) as project_name,
        coalesce(projects.region_code, units.region_code, prefixes.region_code) as region_code,
        case
            when projects.region_code is not null then '项目库'
            when units.region_code is not null then '填报单位'
            when prefixes.region_code is not null then '项目编号'
        end as region_source,
        projects.project_id is not null as is_registered_project,
        projects.actual_start_date,
        funds.fund_type,
        funds.fund_year,
        funds.batch,
        funds.fund_category,
        funds.doc_no,
        funds.submitting_unit,
        coalesce(types.is_policy_fund, false) as is_policy_fund,
        coalesce(types.is_central_provincial, false) as is_central_provincial,
        coalesce(types.is_free_grant, false) as is_free_grant,
        coalesce(types.is_bond, false) as is_bond,
        (
            coalesce(types.is_free_grant, false)
            or (funds.fund_category is not null and not coalesce(types.is_policy_fund, false))
        ) as is_free_grant_row,
        (
            (
                coalesce(types.is_free_grant, false)
                or (funds.fund_category is not null and not coalesce(types.is_policy_fund, false))
            )
            and coalesce(funds.fund_category = '项目资金', false)
        ) as is_project_fund_row,
        coalesce(funds.fund_category, '') <> '非项目资金' as is_project_row,
        funds.requested_amount,
        funds.issued_amount,
        funds.issued_date,
        case
            when funds.issued_amount is not null
                then coalesce(funds.issued_date, cast(cast(
    (
    (date_trunc('month', cast(cast(funds.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date))
        end as issued_on,
        funds.received_amount,
        funds.received_date,
        case
            when funds.received_amount is not null
                then coalesce(funds.received_date, cast(cast(
    (
    (date_trunc('month', cast(cast(funds.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date))
        end as received_on,
        funds.paid_amount,
        funds.paid_as_of,
        coalesce(funds.issued_amount, funds.received_amount) as spend_base
    from floor.stg_raw__funds as funds
    left join floor.stg_raw__projects as projects
        on funds.project_id = projects.project_id
    left join (
        select unit_name_zh, min(region_code) as region_code
        from floor.dim_unit
        group by unit_name_zh
        having count(distinct region_code) = 1
    ) as units
        on funds.submitting_unit = units.unit_name_zh
    left join (
        select region_code from floor.dim_region where level in ('county', 'district')
    ) as prefixes
        on substr(funds.project_id, 1, 6) = prefixes.region_code
    left join floor.dim_fund_type as types
        on funds.fund_type = types.fund_type
),
paid_snapshots as (
    select
        fund_row_key,
        paid_as_of,
        paid_amount,
        lead(paid_as_of) over (partition by fund_row_key order by paid_as_of) as next_paid_as_of
    from (
        select
            history.project_id || '|' || history.fund_type || '|'
        || cast(history.fund_year as TEXT) || '|' || coalesce(history.batch, '') as fund_row_key,
            coalesce(history.paid_as_of, cast(cast(
    (
    (date_trunc('month', cast(cast(history.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)) as paid_as_of,
            cast(history.paid_amount as decimal(18, 4)) as paid_amount,
            row_number() over (
                partition by
                    history.project_id, history.fund_type, history.fund_year, history.batch,
                    coalesce(history.paid_as_of, cast(cast(
    (
    (date_trunc('month', cast(cast(history.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date))
                order by history._revision desc
            ) as revision_rank
        from raw.funds as history
        where history.paid_amount is not null
    ) as ranked
    where revision_rank = 1
),
report_months as (
    select month, label_zh from floor.dim_report_month
),
regions as (
    select region_code, name_zh as region_name from floor.dim_region
),
fund_types as (
    select * from floor.dim_fund_type
),
placed_funds as (
    select * from funds where region_code is not null
),
fund_months as (
    select
        placed_funds.*,
        report_months.month,
        cast(cast(
    (
    (date_trunc('month', cast(cast(placed_funds.fund_year as varchar) || '-' || lpad(cast(report_months.month as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date) as as_of_date
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
        and paid_snapshots.paid_as_of <= fund_months.as_of_date
        and (paid_snapshots.next_paid_as_of is null or paid_snapshots.next_paid_as_of > fund_months.as_of_date)
),
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
        cast(cast(
    (
    (date_trunc('month', cast(cast(with_prior_year.year as varchar) || '-' || lpad(cast(with_prior_year.month as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date) as as_of_date,
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
        case
        when (with_prior_year.prior_year_policy_issued_wan) <> 0
            then cast((with_prior_year.policy_issued_wan - with_prior_year.prior_year_policy_issued_wan) * 1.0 / (with_prior_year.prior_year_policy_issued_wan) as decimal(20, 6))
    end as policy_growth,
        cast(with_prior_year.free_grant_wan as decimal(18, 4)) as free_grant_wan,
        cast(with_prior_year.project_fund_wan as decimal(18, 4)) as project_fund_wan
    from with_prior_year
    left join regions on with_prior_year.region_code = regions.region_code
    left join report_months on with_prior_year.month = report_months.month
    left join fund_types on with_prior_year.fund_type = fund_types.fund_type
)
select * from final
;
-- mart_fund_deadlines
create or replace table floor.mart_fund_deadlines as
with
funds as (
    select
        funds.project_id || '|' || funds.fund_type || '|'
        || cast(funds.fund_year as TEXT) || '|' || coalesce(funds.batch, '') as fund_row_key,
        funds.project_id,
        coalesce(projects.project_name, funds.project_name) as project_name,
        coalesce(projects.region_code, units.region_code, prefixes.region_code) as region_code,
        case
            when projects.region_code is not null then '项目库'
            when units.region_code is not null then '填报单位'
            when prefixes.region_code is not null then '项目编号'
        end as region_source,
        projects.project_id is not null as is_registered_project,
        projects.actual_start_date,
        funds.fund_type,
        funds.fund_year,
        funds.batch,
        funds.fund_category,
        funds.doc_no,
        funds.submitting_unit,
        coalesce(types.is_policy_fund, false) as is_policy_fund,
        coalesce(types.is_central_provincial, false) as is_central_provincial,
        coalesce(types.is_free_grant, false) as is_free_grant,
        coalesce(types.is_bond, false) as is_bond,
        (
            coalesce(types.is_free_grant, false)
            or (funds.fund_category is not null and not coalesce(types.is_policy_fund, false))
        ) as is_free_grant_row,
        (
            (
                coalesce(types.is_free_grant, false)
                or (funds.fund_category is not null and not coalesce(types.is_policy_fund, false))
            )
            and coalesce(funds.fund_category = '项目资金', false)
        ) as is_project_fund_row,
        coalesce(funds.fund_category, '') <> '非项目资金' as is_project_row,
        funds.requested_amount,
        funds.issued_amount,
        funds.issued_date,
        case
            when funds.issued_amount is not null
                then coalesce(funds.issued_date, cast(cast(
    (
    (date_trunc('month', cast(cast(funds.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date))
        end as issued_on,
        funds.received_amount,
        funds.received_date,
        case
            when funds.received_amount is not null
                then coalesce(funds.received_date, cast(cast(
    (
    (date_trunc('month', cast(cast(funds.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date))
        end as received_on,
        funds.paid_amount,
        funds.paid_as_of,
        coalesce(funds.issued_amount, funds.received_amount) as spend_base
    from floor.stg_raw__funds as funds
    left join floor.stg_raw__projects as projects
        on funds.project_id = projects.project_id
    left join (
        select unit_name_zh, min(region_code) as region_code
        from floor.dim_unit
        group by unit_name_zh
        having count(distinct region_code) = 1
    ) as units
        on funds.submitting_unit = units.unit_name_zh
    left join (
        select region_code from floor.dim_region where level in ('county', 'district')
    ) as prefixes
        on substr(funds.project_id, 1, 6) = prefixes.region_code
    left join floor.dim_fund_type as types
        on funds.fund_type = types.fund_type
),
paid_snapshots as (
    select
        fund_row_key,
        paid_as_of,
        paid_amount,
        lead(paid_as_of) over (partition by fund_row_key order by paid_as_of) as next_paid_as_of
    from (
        select
            history.project_id || '|' || history.fund_type || '|'
        || cast(history.fund_year as TEXT) || '|' || coalesce(history.batch, '') as fund_row_key,
            coalesce(history.paid_as_of, cast(cast(
    (
    (date_trunc('month', cast(cast(history.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)) as paid_as_of,
            cast(history.paid_amount as decimal(18, 4)) as paid_amount,
            row_number() over (
                partition by
                    history.project_id, history.fund_type, history.fund_year, history.batch,
                    coalesce(history.paid_as_of, cast(cast(
    (
    (date_trunc('month', cast(cast(history.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date))
                order by history._revision desc
            ) as revision_rank
        from raw.funds as history
        where history.paid_amount is not null
    ) as ranked
    where revision_rank = 1
),
deadlines as (
    select * from floor.policy_deadlines
),
report_months as (
    select month, label_zh from floor.dim_report_month
),
regions as (
    select region_code, name_zh as region_name from floor.dim_region
),
report_years as (
    select distinct year from floor.int_report_months
    union
    select distinct fund_year from funds
    union
    select distinct cast(extract(year from due_date) as integer) from deadlines
),
tranches as (
    select * from funds
    where is_bond and issued_amount > 0 and region_code is not null
),
applicable_deadlines as (
    select
        tranches.fund_row_key,
        deadlines.milestone,
        deadlines.due_date,
        deadlines.threshold_ratio,
        deadlines.source_doc,
        deadlines.source_text,
        case when deadlines.region_code is null then '全国' else '本地' end as deadline_scope,
        row_number() over (
            partition by tranches.fund_row_key, deadlines.milestone
            order by case when deadlines.region_code is null then 1 else 0 end
        ) as scope_rank
    from tranches
    inner join deadlines
        on tranches.fund_type = deadlines.fund_type
        and tranches.fund_year = deadlines.applies_year
        and (deadlines.region_code = tranches.region_code or deadlines.region_code is null)
),
tranche_milestones as (
    select
        tranches.*,
        applicable.milestone,
        case
        when applicable.milestone like '%发行%' then '发行'
        when applicable.milestone like '%开工%' then '开工'
        when applicable.milestone like '%支付%' or applicable.milestone like '%使用%' or applicable.milestone like '%支出%'
            then '支付'
    end as milestone_kind,
        applicable.due_date,
        applicable.threshold_ratio,
        applicable.deadline_scope,
        applicable.source_doc as deadline_source_doc,
        applicable.source_text as deadline_source_text,
        coalesce(cast(extract(year from applicable.due_date) as integer), tranches.fund_year) as last_report_year
    from tranches
    left join (select * from applicable_deadlines where scope_rank = 1) as applicable
        on tranches.fund_row_key = applicable.fund_row_key
),
spend_reached as (
    select
        tranche_milestones.fund_row_key,
        tranche_milestones.milestone,
        min(paid_snapshots.paid_as_of) as reached_on
    from tranche_milestones
    inner join paid_snapshots
        on tranche_milestones.fund_row_key = paid_snapshots.fund_row_key
        and paid_snapshots.paid_amount >= tranche_milestones.spend_base * tranche_milestones.threshold_ratio
    where tranche_milestones.milestone_kind = '支付'
    group by tranche_milestones.fund_row_key, tranche_milestones.milestone
),
milestone_months as (
    select
        tranche_milestones.*,
        report_years.year,
        report_months.month,
        report_months.label_zh as period_label,
        cast(cast(
    (
    (date_trunc('month', cast(cast(report_years.year as varchar) || '-' || lpad(cast(report_months.month as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date) as as_of_date,
        case
            when tranche_milestones.milestone_kind = '发行' then tranche_milestones.issued_on
            when tranche_milestones.milestone_kind = '开工' then tranche_milestones.actual_start_date
            when tranche_milestones.milestone_kind = '支付' then spend_reached.reached_on
        end as done_on
    from tranche_milestones
    inner join report_years
        on report_years.year >= tranche_milestones.fund_year
        and report_years.year <= tranche_milestones.last_report_year
    cross join report_months
    left join spend_reached
        on tranche_milestones.fund_row_key = spend_reached.fund_row_key
        and tranche_milestones.milestone = spend_reached.milestone
),
region_data_dates as (
    select region_code, max(data_date) as data_date
    from (
        select region_code, issued_date as data_date from funds
        union all
        select region_code, received_date from funds
        union all
        select region_code, paid_as_of from funds
    ) as dated
    where region_code is not null and data_date is not null
    group by region_code
),
region_latest as (
    select
        region_code,
        case
            when cast(extract(month from data_date) as integer) = 1 then (cast(extract(year from data_date) as integer) - 1) * 100 + 12
            else cast(extract(year from data_date) as integer) * 100 + cast(extract(month from data_date) as integer)
        end as latest_period
    from region_data_dates
),
measured as (
    select
        milestone_months.*,
        paid.paid_amount as paid_wan,
        coalesce(milestone_months.done_on <= milestone_months.as_of_date, false) as is_done,
        (date_diff('day', milestone_months.as_of_date::timestamp, milestone_months.due_date::timestamp ))
     as days_left,
        case
            when milestone_months.milestone_kind in ('发行', '开工')
                then case when milestone_months.done_on <= milestone_months.as_of_date then 1.0 else 0.0 end
            when milestone_months.milestone_kind = '支付'
                then case
        when (milestone_months.spend_base) <> 0
            then cast((coalesce(paid.paid_amount, 0)) * 1.0 / (milestone_months.spend_base) as decimal(20, 6))
    end
        end as progress_ratio,
        case
            when region_latest.latest_period is null
                or region_latest.latest_period > milestone_months.last_report_year * 100 + 12
                then milestone_months.last_report_year * 100 + 12
            when region_latest.latest_period < milestone_months.fund_year * 100 + 2
                then milestone_months.fund_year * 100 + 2
            else region_latest.latest_period
        end as current_period
    from milestone_months
    left join paid_snapshots as paid
        on milestone_months.fund_row_key = paid.fund_row_key
        and paid.paid_as_of <= milestone_months.as_of_date
        and (paid.next_paid_as_of is null or paid.next_paid_as_of > milestone_months.as_of_date)
    left join region_latest on milestone_months.region_code = region_latest.region_code
),
final as (
    select
        measured.region_code,
        regions.region_name,
        measured.fund_row_key,
        measured.project_id,
        measured.project_name,
        measured.fund_type,
        measured.fund_year,
        measured.batch,
        measured.doc_no,
        cast(measured.issued_amount as decimal(18, 4)) as issued_amount_wan,
        measured.issued_date,
        cast(measured.received_amount as decimal(18, 4)) as received_amount_wan,
        measured.received_date,
        measured.milestone,
        measured.milestone_kind,
        measured.due_date,
        measured.threshold_ratio,
        measured.deadline_scope,
        measured.deadline_source_doc,
        measured.deadline_source_text,
        measured.year,
        measured.month,
        measured.period_label,
        measured.as_of_date,
        measured.year * 100 + measured.month = measured.current_period as is_latest_month,
        measured.actual_start_date,
        cast(measured.spend_base as decimal(18, 4)) as spend_base_wan,
        cast(measured.paid_wan as decimal(18, 4)) as paid_wan,
        cast(measured.progress_ratio as decimal(20, 6)) as progress_ratio,
        case when measured.is_done then measured.done_on end as done_on,
        measured.is_done,
        case when measured.due_date is not null then measured.days_left end as days_left,
        case
            when measured.milestone is null then '无截止要求'
            when measured.milestone_kind is null then '未识别'
            when measured.is_done and measured.done_on <= measured.due_date then '按时完成'
            when measured.is_done then '逾期完成'
            when measured.as_of_date >= measured.due_date then '逾期'
            when measured.days_left <= 30 then '临近'
            else '未到期'
        end as status
    from measured
    left join regions on measured.region_code = regions.region_code
)
select * from final
;
-- int_metrics__indicators
create or replace table floor.int_metrics__indicators as
with
reports as (
    select * from floor.stg_raw__indicator_reports
),
months as (
    select region_code, year, month from floor.int_report_months
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
;
-- int_metrics__projects
create or replace table floor.int_metrics__projects as
with
months as (
    select region_code, year, month, as_of_date from floor.int_report_months
),
projects as (
    select * from floor.int_projects_enriched
),
plans as (
    select * from floor.int_annual_plans_versioned
),
progress as (
    select project_id, year, month, ytd_completed from floor.int_progress_monthly_filled
    where basis = 'DISPATCH'
),
stage_monthly as (
    select project_id, region_code, year, month, stage_at_month from floor.int_project_stage_monthly
),
planned as (
    select
        projects.project_id,
        projects.region_code,
        plans.plan_year as year,
        plans.plan_category,
        plans.annual_plan_latest,
        projects.is_key_project,
        projects.is_city_key_project,
        projects.is_new_capacity,
        projects.total_investment,
        projects.actual_start_date
    from plans
    inner join projects on plans.project_id = projects.project_id
),
planned_monthly as (
    select
        months.region_code,
        months.year,
        months.month,
        planned.is_key_project,
        planned.is_city_key_project,
        planned.is_new_capacity,
        planned.annual_plan_latest,
        planned.total_investment,
        coalesce(progress.ytd_completed, 0) as ytd_completed,
        coalesce(planned.plan_category = '新开工' and planned.actual_start_date <= months.as_of_date, false)
            as is_new_start_started
    from months
    inner join planned
        on months.region_code = planned.region_code
        and months.year = planned.year
    left join progress
        on planned.project_id = progress.project_id
        and months.year = progress.year
        and months.month = progress.month
),
plan_measures as (
    select
        region_code,
        year,
        month,
        sum(case when is_key_project then 1 else 0 end) as key_project_count,
        sum(case when is_key_project and is_new_start_started then 1 else 0 end) as key_project_new_start_count,
        sum(case when is_key_project then ytd_completed else 0 end) as key_project_annual_investment,
        sum(case when is_key_project then annual_plan_latest else 0 end) as key_project_annual_plan,
        sum(case when is_city_key_project then 1 else 0 end) as city_key_project_count,
        sum(case when is_city_key_project and is_new_start_started then 1 else 0 end)
            as city_key_project_new_start_count,
        sum(case when is_city_key_project then ytd_completed else 0 end) as city_key_project_annual_investment,
        sum(
            case
                when is_key_project and total_investment >= 50000
                    then 1
                else 0
            end
        ) as major_project_count,
        sum(case when is_new_capacity then 1 else 0 end) as new_capacity_project_count
    from planned_monthly
    group by region_code, year, month
),
key_list as (
    select project_id, year from planned where is_key_project
),
stage_rows as (
    select
        stage_monthly.region_code,
        stage_monthly.year,
        stage_monthly.month,
        stage_monthly.stage_at_month,
        projects.total_investment,
        plans.annual_plan_latest,
        coalesce(
            stage_monthly.stage_at_month = '竣工投产'
            and projects.completed_date >= cast(cast(stage_monthly.year as varchar) || '-' || lpad(cast(1 as varchar), 2, '0') || '-01' as date),
            false
        ) as is_completed_this_year,
        key_list.project_id is not null as is_on_key_list
    from stage_monthly
    inner join projects on stage_monthly.project_id = projects.project_id
    left join plans
        on stage_monthly.project_id = plans.project_id
        and stage_monthly.year = plans.plan_year
    left join key_list
        on stage_monthly.project_id = key_list.project_id
        and stage_monthly.year = key_list.year
),
stage_measures as (
    select
        region_code,
        year,
        month,
        sum(case when stage_at_month = '谋划' then 1 else 0 end) as stage_count_1,
        sum(case when stage_at_month = '谋划' then total_investment else 0 end)
            as stage_investment_1,
        sum(case when stage_at_month = '储备' then 1 else 0 end) as stage_count_2,
        sum(case when stage_at_month = '储备' then total_investment else 0 end)
            as stage_investment_2,
        sum(case when stage_at_month = '开工在建' then 1 else 0 end) as stage_count_3,
        sum(case when stage_at_month = '开工在建' then total_investment else 0 end)
            as stage_investment_3,
        sum(case when stage_at_month = '竣工投产' then 1 else 0 end) as stage_count_4,
        sum(case when stage_at_month = '竣工投产' then total_investment else 0 end)
            as stage_investment_4,
        sum(case when stage_at_month = '开工在建' then coalesce(annual_plan_latest, 0) else 0 end)
            as stage_annual_plan_started,
        sum(case when is_completed_this_year then 1 else 0 end) as completed_project_count,
        sum(case when is_completed_this_year and is_on_key_list then 1 else 0 end) as completed_key_project_count
    from stage_rows
    group by region_code, year, month
),
wide as (
    select
        months.region_code,
        months.year,
        months.month,
        coalesce(plan_measures.key_project_count, 0) as key_project_count,
        coalesce(plan_measures.key_project_new_start_count, 0) as key_project_new_start_count,
        coalesce(plan_measures.key_project_annual_investment, 0) as key_project_annual_investment,
        plan_measures.key_project_annual_plan,
        coalesce(plan_measures.city_key_project_count, 0) as city_key_project_count,
        coalesce(plan_measures.city_key_project_new_start_count, 0) as city_key_project_new_start_count,
        coalesce(plan_measures.city_key_project_annual_investment, 0) as city_key_project_annual_investment,
        coalesce(plan_measures.major_project_count, 0) as major_project_count,
        coalesce(plan_measures.new_capacity_project_count, 0) as new_capacity_project_count,
        coalesce(stage_measures.stage_count_1, 0) as stage_count_1,
        coalesce(stage_measures.stage_investment_1, 0) as stage_investment_1,
        coalesce(stage_measures.stage_count_2, 0) as stage_count_2,
        coalesce(stage_measures.stage_investment_2, 0) as stage_investment_2,
        coalesce(stage_measures.stage_count_3, 0) as stage_count_3,
        coalesce(stage_measures.stage_investment_3, 0) as stage_investment_3,
        coalesce(stage_measures.stage_count_4, 0) as stage_count_4,
        coalesce(stage_measures.stage_investment_4, 0) as stage_investment_4,
        coalesce(stage_measures.stage_annual_plan_started, 0) as stage_annual_plan_started,
        coalesce(stage_measures.completed_project_count, 0) as completed_project_count,
        coalesce(stage_measures.completed_key_project_count, 0) as completed_key_project_count
    from months
    left join plan_measures
        on months.region_code = plan_measures.region_code
        and months.year = plan_measures.year
        and months.month = plan_measures.month
    left join stage_measures
        on months.region_code = stage_measures.region_code
        and months.year = stage_measures.year
        and months.month = stage_measures.month
),
long as (
    select
        region_code,
        year,
        month,
        'key_project_count' as metric_key,
        key_project_count as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'key_project_new_start_count' as metric_key,
        key_project_new_start_count as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'key_project_annual_investment' as metric_key,
        key_project_annual_investment as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'city_key_project_count' as metric_key,
        city_key_project_count as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'city_key_project_new_start_count' as metric_key,
        city_key_project_new_start_count as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'city_key_project_annual_investment' as metric_key,
        city_key_project_annual_investment as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'stage_count:谋划' as metric_key,
        stage_count_1 as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'stage_count:储备' as metric_key,
        stage_count_2 as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'stage_count:开工在建' as metric_key,
        stage_count_3 as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'stage_count:竣工投产' as metric_key,
        stage_count_4 as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'stage_investment:谋划' as metric_key,
        stage_investment_1 as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'stage_investment:储备' as metric_key,
        stage_investment_2 as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'stage_investment:竣工投产' as metric_key,
        stage_investment_4 as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'stage_annual_plan:开工在建' as metric_key,
        stage_annual_plan_started as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'completed_project_count' as metric_key,
        completed_project_count as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'completed_key_project_count' as metric_key,
        completed_key_project_count as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'major_project_count' as metric_key,
        major_project_count as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'new_capacity_project_count' as metric_key,
        new_capacity_project_count as actual_value,
        null as numerator,
        null as denominator
    from wide
    union all
    select
        region_code,
        year,
        month,
        'rate:计划投资完成率' as metric_key,
        case when key_project_annual_plan > 0 then key_project_annual_investment / key_project_annual_plan end as actual_value,
        key_project_annual_investment as numerator,
        key_project_annual_plan as denominator
    from wide
),
final as (
    select
        cast(region_code as TEXT) as region_code,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cast(metric_key as TEXT) as metric_key,
        cast(actual_value as decimal(20, 6)) as actual_value,
        cast(numerator as decimal(20, 6)) as numerator,
        cast(denominator as decimal(20, 6)) as denominator,
        cast('project_data' as TEXT) as actual_source
    from long
)
select * from final
;
-- int_metrics__rates
create or replace table floor.int_metrics__rates as
with
months as (
    select region_code, year, month from floor.int_report_months
),
five_rates as (
    select * from floor.mart_five_rates
    where scope = 'region' and metric_key is not null
),
attraction as (
    select * from floor.mart_investment_attraction
),
rate_keys as (
    select 'rate:招商引资落地率' as metric_key
    union all
    select 'rate:前期手续办结率@county_new_start_key' as metric_key
    union all
    select 'rate:前期手续办结率@city_new_start_key' as metric_key
    union all
    select 'rate:储备项目开工率@county_new_start_key' as metric_key
    union all
    select 'rate:储备项目开工率@city_new_start_key' as metric_key
    union all
    select 'rate:竣工投产达效率' as metric_key
),
rate_values as (
    select
        months.region_code,
        months.year,
        months.month,
        rate_keys.metric_key,
        five_rates.rate as actual_value,
        coalesce(five_rates.numerator, 0) as numerator,
        coalesce(five_rates.denominator, 0) as denominator
    from months
    cross join rate_keys
    left join five_rates
        on months.region_code = five_rates.region_code
        and months.year = five_rates.year
        and months.month = five_rates.month
        and rate_keys.metric_key = five_rates.metric_key
),
attraction_values as (
    select
        months.region_code, months.year, months.month,
        'attraction_signed_total' as metric_key,
        coalesce(attraction.signed_total_wan, 0) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator
    from months
    left join attraction
        on months.region_code = attraction.region_code
        and months.year = attraction.year
        and months.month = attraction.month
    union all
    select
        months.region_code, months.year, months.month,
        'attraction_out_of_province_total' as metric_key,
        coalesce(attraction.out_of_province_total_wan, 0) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator
    from months
    left join attraction
        on months.region_code = attraction.region_code
        and months.year = attraction.year
        and months.month = attraction.month
    union all
    select
        months.region_code, months.year, months.month,
        'attraction_foreign_capital_usd' as metric_key,
        coalesce(attraction.foreign_capital_usd, 0) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator
    from months
    left join attraction
        on months.region_code = attraction.region_code
        and months.year = attraction.year
        and months.month = attraction.month
    union all
    select
        months.region_code, months.year, months.month,
        'attraction_domestic_capital_growth' as metric_key,
        attraction.domestic_capital_growth as actual_value,
        case
            when attraction.prior_year_deals_same_period > 0
                then attraction.domestic_capital_wan - attraction.domestic_capital_prior_year_wan
        end as numerator,
        case
            when attraction.prior_year_deals_same_period > 0 then attraction.domestic_capital_prior_year_wan
        end as denominator
    from months
    left join attraction
        on months.region_code = attraction.region_code
        and months.year = attraction.year
        and months.month = attraction.month
),
unioned as (
    select * from rate_values
    union all
    select * from attraction_values
),
final as (
    select
        cast(region_code as TEXT) as region_code,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cast(metric_key as TEXT) as metric_key,
        cast(actual_value as decimal(20, 6)) as actual_value,
        cast(numerator as decimal(20, 6)) as numerator,
        cast(denominator as decimal(20, 6)) as denominator,
        cast('project_data' as TEXT) as actual_source
    from unioned
)
select * from final
;
-- int_metrics__funds
create or replace table floor.int_metrics__funds as
with
months as (
    select
        region_code,
        year,
        month,
        as_of_date,
        cast(cast(
    (
    (date_trunc('month', cast(cast(year - 1 as varchar) || '-' || lpad(cast(month as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date) as prior_as_of_date
    from floor.int_report_months
),
funds as (
    select
        funds.project_id || '|' || funds.fund_type || '|'
        || cast(funds.fund_year as TEXT) || '|' || coalesce(funds.batch, '') as fund_row_key,
        funds.project_id,
        coalesce(projects.project_name, funds.project_name) as project_name,
        coalesce(projects.region_code, units.region_code, prefixes.region_code) as region_code,
        case
            when projects.region_code is not null then '项目库'
            when units.region_code is not null then '填报单位'
            when prefixes.region_code is not null then '项目编号'
        end as region_source,
        projects.project_id is not null as is_registered_project,
        projects.actual_start_date,
        funds.fund_type,
        funds.fund_year,
        funds.batch,
        funds.fund_category,
        funds.doc_no,
        funds.submitting_unit,
        coalesce(types.is_policy_fund, false) as is_policy_fund,
        coalesce(types.is_central_provincial, false) as is_central_provincial,
        coalesce(types.is_free_grant, false) as is_free_grant,
        coalesce(types.is_bond, false) as is_bond,
        (
            coalesce(types.is_free_grant, false)
            or (funds.fund_category is not null and not coalesce(types.is_policy_fund, false))
        ) as is_free_grant_row,
        (
            (
                coalesce(types.is_free_grant, false)
                or (funds.fund_category is not null and not coalesce(types.is_policy_fund, false))
            )
            and coalesce(funds.fund_category = '项目资金', false)
        ) as is_project_fund_row,
        coalesce(funds.fund_category, '') <> '非项目资金' as is_project_row,
        funds.requested_amount,
        funds.issued_amount,
        funds.issued_date,
        case
            when funds.issued_amount is not null
                then coalesce(funds.issued_date, cast(cast(
    (
    (date_trunc('month', cast(cast(funds.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date))
        end as issued_on,
        funds.received_amount,
        funds.received_date,
        case
            when funds.received_amount is not null
                then coalesce(funds.received_date, cast(cast(
    (
    (date_trunc('month', cast(cast(funds.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date))
        end as received_on,
        funds.paid_amount,
        funds.paid_as_of,
        coalesce(funds.issued_amount, funds.received_amount) as spend_base
    from floor.stg_raw__funds as funds
    left join floor.stg_raw__projects as projects
        on funds.project_id = projects.project_id
    left join (
        select unit_name_zh, min(region_code) as region_code
        from floor.dim_unit
        group by unit_name_zh
        having count(distinct region_code) = 1
    ) as units
        on funds.submitting_unit = units.unit_name_zh
    left join (
        select region_code from floor.dim_region where level in ('county', 'district')
    ) as prefixes
        on substr(funds.project_id, 1, 6) = prefixes.region_code
    left join floor.dim_fund_type as types
        on funds.fund_type = types.fund_type
),
paid_snapshots as (
    select
        fund_row_key,
        paid_as_of,
        paid_amount,
        lead(paid_as_of) over (partition by fund_row_key order by paid_as_of) as next_paid_as_of
    from (
        select
            history.project_id || '|' || history.fund_type || '|'
        || cast(history.fund_year as TEXT) || '|' || coalesce(history.batch, '') as fund_row_key,
            coalesce(history.paid_as_of, cast(cast(
    (
    (date_trunc('month', cast(cast(history.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date)) as paid_as_of,
            cast(history.paid_amount as decimal(18, 4)) as paid_amount,
            row_number() over (
                partition by
                    history.project_id, history.fund_type, history.fund_year, history.batch,
                    coalesce(history.paid_as_of, cast(cast(
    (
    (date_trunc('month', cast(cast(history.fund_year as varchar) || '-' || lpad(cast(12 as varchar), 2, '0') || '-01' as date)) + cast(1 as bigint) * interval 1 month) + cast(-1 as bigint) * interval 1 day)
        as date) as date))
                order by history._revision desc
            ) as revision_rank
        from raw.funds as history
        where history.paid_amount is not null
    ) as ranked
    where revision_rank = 1
),
deadlines as (
    select * from floor.policy_deadlines
),
releases as (
    select * from floor.stg_raw__fai_aggregates
),
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
deadline_vintages as (
    select distinct
        months.region_code,
        months.year,
        deadlines.fund_type,
        deadlines.applies_year
    from (select distinct region_code, year from months) as months
    inner join deadlines
        on cast(extract(year from deadlines.due_date) as integer) = months.year
        and (deadlines.region_code = months.region_code or deadlines.region_code is null)
),
cohorts as (
    select
        months.region_code,
        months.year,
        months.month,
        months.as_of_date,
        'bond' as cohort,
        funds.*
    from months
    inner join funds
        on months.region_code = funds.region_code
        and months.year = funds.fund_year
        and funds.fund_type = '地方政府专项债券'
        and funds.issued_amount > 0
    union all
    select
        months.region_code,
        months.year,
        months.month,
        months.as_of_date,
        'treasury' as cohort,
        funds.*
    from months
    inner join deadline_vintages
        on months.region_code = deadline_vintages.region_code
        and months.year = deadline_vintages.year
        and deadline_vintages.fund_type = '增发国债'
    inner join funds
        on months.region_code = funds.region_code
        and deadline_vintages.applies_year = funds.fund_year
        and funds.fund_type = '增发国债'
        and funds.issued_amount > 0
),
cohort_paid as (
    select
        cohorts.*,
        paid_snapshots.paid_amount as paid_at_month_end
    from cohorts
    left join paid_snapshots
        on cohorts.fund_row_key = paid_snapshots.fund_row_key
        and paid_snapshots.paid_as_of <= cohorts.as_of_date
        and (paid_snapshots.next_paid_as_of is null or paid_snapshots.next_paid_as_of > cohorts.as_of_date)
),
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
fund_long as (
    select
        region_code,
        year,
        month,
        'funding_policy_total' as metric_key,
        cast(policy_total as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
    union all
    select
        region_code,
        year,
        month,
        'funding_central_provincial_project_count' as metric_key,
        cast(central_provincial_projects as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
    union all
    select
        region_code,
        year,
        month,
        'funding_growth' as metric_key,
        cast(case
        when (prior_policy_total) <> 0
            then cast((policy_total - prior_policy_total) * 1.0 / (prior_policy_total) as decimal(20, 6))
    end as decimal(20, 6)) as actual_value,
        cast(case when prior_policy_total is not null then policy_total end as decimal(20, 6)) as numerator,
        cast(prior_policy_total as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
    union all
    select
        region_code,
        year,
        month,
        'funding_free_grant_total' as metric_key,
        cast(free_grant_total as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
    union all
    select
        region_code,
        year,
        month,
        'funding_project_fund_total' as metric_key,
        cast(project_fund_total as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
    union all
    select
        region_code,
        year,
        month,
        'bond_issue_deadline' as metric_key,
        cast(case
        when (bond_issued_total) <> 0
            then cast((bond_issued_by_month_end) * 1.0 / (bond_issued_total) as decimal(20, 6))
    end as decimal(20, 6)) as actual_value,
        cast(bond_issued_by_month_end as decimal(20, 6)) as numerator,
        cast(bond_issued_total as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
    union all
    select
        region_code,
        year,
        month,
        'bond_pay_deadline' as metric_key,
        cast(case
        when (bond_issued_total) <> 0
            then cast((bond_paid) * 1.0 / (bond_issued_total) as decimal(20, 6))
    end as decimal(20, 6)) as actual_value,
        cast(bond_paid as decimal(20, 6)) as numerator,
        cast(bond_issued_total as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
    union all
    select
        region_code,
        year,
        month,
        'treasury_bond_amount' as metric_key,
        cast(coalesce(treasury_issued, 0) as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
    union all
    select
        region_code,
        year,
        month,
        'treasury_bond_start' as metric_key,
        cast(treasury_started as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
    union all
    select
        region_code,
        year,
        month,
        'treasury_bond_spend' as metric_key,
        cast(case
        when (treasury_cohort_issued) <> 0
            then cast((treasury_paid) * 1.0 / (treasury_cohort_issued) as decimal(20, 6))
    end as decimal(20, 6)) as actual_value,
        cast(treasury_paid as decimal(20, 6)) as numerator,
        cast(treasury_cohort_issued as decimal(20, 6)) as denominator,
        'project_data' as actual_source
    from fund_metrics
),
release_wide as (
    select
        region_code as release_region_code,
        year as release_year,
        month as release_month,
        max(case when indicator_code = 'FAI_TOTAL' then yoy_growth end) as growth_fai_total,
        max(case when indicator_code = 'FAI_MANUF' then yoy_growth end) as growth_fai_manuf,
        max(case when indicator_code = 'FAI_HITECH' then yoy_growth end) as growth_fai_hitech,
        max(case when indicator_code = 'FAI_CULTURE_ENT' then yoy_growth end) as growth_fai_culture_ent,
        max(case when indicator_code = 'FAI_RETAIL_WHOLESALE' then yoy_growth end) as growth_fai_retail_wholesale,
        max(case when indicator_code = 'FAI_HOSPITALITY' then yoy_growth end) as growth_fai_hospitality,
        max(case when indicator_code = 'FAI_SOCIAL_EX_RE' then yoy_growth end) as growth_fai_social_ex_re,
        max(case when indicator_code = 'FAI_INDUSTRY_TECH' then yoy_growth end) as growth_fai_industry_tech,
        max(case when indicator_code = 'FAI_PRIVATE' then share end) as share_fai_private,
        max(case when indicator_code = 'FAI_PRIVATE' then value end) as value_fai_private,
        max(case when indicator_code = 'FAI_INDUSTRIAL' then share end) as share_fai_industrial,
        max(case when indicator_code = 'FAI_INDUSTRIAL' then value end) as value_fai_industrial,
        max(case when indicator_code = 'FAI_PRIVATE_IN_SOCIAL_SHARE' then share end) as share_fai_private_in_social_share,
        max(case when indicator_code = 'FAI_PRIVATE' then value end) as num_fai_private_in_social_share,
        max(case when indicator_code = 'FAI_SOCIAL_EX_RE' then value end) as den_fai_private_in_social_share,
        max(case when indicator_code = 'IND_OUTPUT_ABOVE_SCALE' then value end) as value_ind_output_above_scale,
        max(case when indicator_code = 'FAI_TOTAL' then value end) as value_total
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
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_TOTAL' as metric_key,
        cast(growth_fai_total as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_MANUF' as metric_key,
        cast(growth_fai_manuf as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_HITECH' as metric_key,
        cast(growth_fai_hitech as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_CULTURE_ENT' as metric_key,
        cast(growth_fai_culture_ent as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_RETAIL_WHOLESALE' as metric_key,
        cast(growth_fai_retail_wholesale as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_HOSPITALITY' as metric_key,
        cast(growth_fai_hospitality as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_SOCIAL_EX_RE' as metric_key,
        cast(growth_fai_social_ex_re as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_INDUSTRY_TECH' as metric_key,
        cast(growth_fai_industry_tech as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_PRIVATE_SHARE' as metric_key,
        cast(coalesce(share_fai_private, case
        when (value_total) <> 0
            then cast((value_fai_private) * 1.0 / (value_total) as decimal(20, 6))
    end) as decimal(20, 6)) as actual_value,
        cast(case when share_fai_private is null and value_total <> 0 then value_fai_private end as decimal(20, 6)) as numerator,
        cast(case when share_fai_private is null and value_fai_private is not null and value_total <> 0 then value_total end as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_INDUSTRIAL_SHARE' as metric_key,
        cast(coalesce(share_fai_industrial, case
        when (value_total) <> 0
            then cast((value_fai_industrial) * 1.0 / (value_total) as decimal(20, 6))
    end) as decimal(20, 6)) as actual_value,
        cast(case when share_fai_industrial is null and value_total <> 0 then value_fai_industrial end as decimal(20, 6)) as numerator,
        cast(case when share_fai_industrial is null and value_fai_industrial is not null and value_total <> 0 then value_total end as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:FAI_PRIVATE_IN_SOCIAL_SHARE' as metric_key,
        cast(coalesce(share_fai_private_in_social_share, case
        when (den_fai_private_in_social_share) <> 0
            then cast((num_fai_private_in_social_share) * 1.0 / (den_fai_private_in_social_share) as decimal(20, 6))
    end) as decimal(20, 6)) as actual_value,
        cast(case when share_fai_private_in_social_share is null and den_fai_private_in_social_share <> 0 then num_fai_private_in_social_share end as decimal(20, 6)) as numerator,
        cast(case when share_fai_private_in_social_share is null and num_fai_private_in_social_share is not null and den_fai_private_in_social_share <> 0 then den_fai_private_in_social_share end as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
    union all
    select
        region_code,
        year,
        month,
        'stats_aggregate:IND_OUTPUT_ABOVE_SCALE' as metric_key,
        cast(value_ind_output_above_scale as decimal(20, 6)) as actual_value,
        cast(null as decimal(20, 6)) as numerator,
        cast(null as decimal(20, 6)) as denominator,
        'stats_aggregate' as actual_source
    from stats_wide
),
combined as (
    select * from fund_long
    union all
    select * from stats_long
),
final as (
    select
        cast(region_code as TEXT) as region_code,
        cast(year as integer) as year,
        cast(month as integer) as month,
        cast(metric_key as TEXT) as metric_key,
        cast(actual_value as decimal(20, 6)) as actual_value,
        cast(numerator as decimal(20, 6)) as numerator,
        cast(denominator as decimal(20, 6)) as denominator,
        cast(actual_source as TEXT) as actual_source
    from combined
)
select * from final
;
-- int_metric_values
create or replace table floor.int_metric_values as
with
unioned as (
    select region_code, year, month, metric_key, actual_value, numerator, denominator, actual_source
    from floor.int_metrics__indicators
    union all
    select region_code, year, month, metric_key, actual_value, numerator, denominator, actual_source
    from floor.int_metrics__projects
    union all
    select region_code, year, month, metric_key, actual_value, numerator, denominator, actual_source
    from floor.int_metrics__rates
    union all
    select region_code, year, month, metric_key, actual_value, numerator, denominator, actual_source
    from floor.int_metrics__funds
)
select * from unioned
;
-- mart_target_progress
create or replace table floor.mart_target_progress as
with
targets as (
    select * from floor.plan_targets
),
months as (
    select * from floor.int_report_months
),
metric_values as (
    select * from floor.int_metric_values
),
classified as (
    select
        targets.*,
        case
            when targets.metric_key like 'stats_aggregate:%' then 'level'
            when targets.comparator = '~' then 'level'
            when targets.metric_key like '%growth%' or targets.metric_key like '%share%' then 'level'
            when targets.metric_key in ('key_project_count', 'city_key_project_count', 'major_project_count')
                then 'level'
            when targets.metric_key like 'stage_count:%' or targets.metric_key like 'stage_investment:%'
                or targets.metric_key like 'stage_annual_plan:%' then 'level'
            else 'cumulative'
        end as pace_type,
        case
            when extract(year from targets.due_date) = targets.plan_year then extract(month from targets.due_date)
            else 12
        end as due_month,
        case
            when targets.unit = 'ratio' then 0.01
            else abs(targets.target_value) * 0.1
        end as tolerance
    from targets
),
target_months as (
    select
        classified.*,
        months.month,
        months.period_label,
        months.as_of_date,
        months.quarter,
        months.is_quarter_end,
        case
            when classified.pace_type = 'level' then classified.target_value
            when months.month >= classified.due_month then classified.target_value
            else classified.target_value * months.month / classified.due_month
        end as expected_by_now
    from classified
    inner join months
        on classified.region_code = months.region_code
        and classified.plan_year = months.year
),
measured as (
    select
        target_months.*,
        metric_values.actual_value,
        metric_values.numerator,
        metric_values.denominator,
        coalesce(metric_values.actual_source, 'none') as actual_source,
        case
            when metric_values.actual_value is null then null
            when target_months.pace_type = 'cumulative' and target_months.month < target_months.due_month
                then metric_values.actual_value * target_months.due_month / target_months.month
            else metric_values.actual_value
        end as forecast_at_due
    from target_months
    left join metric_values
        on target_months.region_code = metric_values.region_code
        and target_months.plan_year = metric_values.year
        and target_months.month = metric_values.month
        and target_months.metric_key = metric_values.metric_key
),
assessed as (
    select
        measured.*,
        case
        when measured.actual_value is null then null
        when measured.comparator = '>=' then measured.actual_value >= measured.target_value
        when measured.comparator = '>' then measured.actual_value > measured.target_value
        when measured.comparator = '~' then measured.actual_value >= measured.target_value - measured.tolerance
        when measured.comparator = '=' then measured.actual_value = measured.target_value
        when measured.comparator = '<=' then measured.actual_value <= measured.target_value
    end
            as is_met,
        case
        when measured.forecast_at_due is null then null
        when measured.comparator = '>=' then measured.forecast_at_due >= measured.target_value
        when measured.comparator = '>' then measured.forecast_at_due > measured.target_value
        when measured.comparator = '~' then measured.forecast_at_due >= measured.target_value - measured.tolerance
        when measured.comparator = '=' then measured.forecast_at_due = measured.target_value
        when measured.comparator = '<=' then measured.forecast_at_due <= measured.target_value
    end
            as forecast_meets_target,
        case
            when measured.actual_value is null then null
            when measured.comparator = '<=' then
                case when measured.actual_value = 0 then null else measured.expected_by_now / measured.actual_value end
            when measured.expected_by_now = 0 then null
            else measured.actual_value / measured.expected_by_now
        end as pace_ratio
    from measured
),
final as (
    select
        target_id,
        region_code,
        plan_year,
        month,
        period_label,
        as_of_date,
        quarter,
        is_quarter_end,
        section,
        indicator_zh,
        metric_key,
        comparator,
        cast(target_value as decimal(20, 6)) as target_value,
        unit,
        due_date,
        due_month,
        pace_type,
        coalesce(lead_unit, '（未指定）') as lead_unit,
        responsible_units,
        actual_source,
        actual_value,
        numerator,
        denominator,
        cast(
            case when target_value <> 0 then actual_value / target_value end as decimal(20, 6)
        ) as actual_to_target,
        cast(expected_by_now as decimal(20, 6)) as expected_by_now,
        cast(actual_value - expected_by_now as decimal(20, 6)) as gap_to_expected,
        cast(pace_ratio as decimal(20, 6)) as pace_ratio,
        case
            when actual_value is null then '无数据'
            when is_met then '达标'
            when pace_ratio is null or pace_ratio >= 0.95 then '正常'
            when pace_ratio >= 0.8 then '滞后'
            else '严重滞后'
        end as status,
        cast(forecast_at_due as decimal(20, 6)) as forecast_at_due,
        forecast_meets_target,
        conflict_group,
        source_text
    from assessed
)
select * from final
;
