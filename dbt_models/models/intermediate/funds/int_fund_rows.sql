-- One row per current fund row (latest revision, staging) with where it is counted and what it counts as:
-- - region_code: the project's region in the registry; else the region of the submitting unit (dim_unit,
--   only when the unit name is unique to one region); else the first six characters of project_id when
--   they are a county/district code (the 非项目资金 rows of a finance office name no registered project).
--   region_source says which rule placed the row; rows no rule can place have a null region.
-- - the fund-type flags of seeds/dim_fund_type (false for a type missing from the seed);
-- - is_free_grant_row (无偿补助资金): the type is a free grant, or the type is not a policy fund (其他 or
--   unknown) and the unit classified the row as 项目资金/非项目资金 (transfer payments of a finance office);
--   repayable policy funds (专项债, 政策性开发性金融工具) never count;
-- - is_project_fund_row: a free-grant row whose fund_category is 项目资金;
-- - is_project_row: the row funds a project (every row except those marked 非项目资金, which are transfer
--   payments with a pseudo project number): project counts count these rows only;
-- - issued_on / received_on: the date the amount counts from; an amount without its date counts from
--   31 December of the fund year;
-- - spend_base: the amount spending is measured against (issued, else received).
-- mart_funding, mart_fund_deadlines and int_metrics__funds read it. Definitions: docs/metrics/funds.md
with

funds as (
    select * from {{ ref('stg_raw__funds') }}
),

projects as (
    select * from {{ ref('stg_raw__projects') }}
),

-- a unit name places a row only when it belongs to one region
unit_regions as (
    select unit_name_zh, min(region_code) as region_code
    from {{ ref('dim_unit') }}
    group by unit_name_zh
    having count(distinct region_code) = 1
),

county_codes as (
    select region_code from {{ ref('dim_region') }} where level in ('county', 'district')
),

fund_types as (
    select * from {{ ref('dim_fund_type') }}
),

joined as (
    select
        funds.*,
        projects.project_id as registered_project_id,
        projects.project_name as registered_project_name,
        projects.region_code as project_region_code,
        projects.actual_start_date,
        unit_regions.region_code as unit_region_code,
        county_codes.region_code as prefix_region_code,
        coalesce(fund_types.is_policy_fund, false) as is_policy_fund,
        coalesce(fund_types.is_central_provincial, false) as is_central_provincial,
        coalesce(fund_types.is_free_grant, false) as is_free_grant,
        coalesce(fund_types.is_bond, false) as is_bond
    from funds
    left join projects on funds.project_id = projects.project_id
    left join unit_regions on funds.submitting_unit = unit_regions.unit_name_zh
    left join county_codes on substr(funds.project_id, 1, 6) = county_codes.region_code
    left join fund_types on funds.fund_type = fund_types.fund_type
),

flagged as (
    select
        joined.*,
        (is_free_grant or (fund_category is not null and not is_policy_fund)) as is_free_grant_row
    from joined
),

final as (
    select
        {{ funds_row_key('flagged') }} as fund_row_key,
        project_id,
        coalesce(registered_project_name, project_name) as project_name,
        coalesce(project_region_code, unit_region_code, prefix_region_code) as region_code,
        case
            when project_region_code is not null then '项目库'
            when unit_region_code is not null then '填报单位'
            when prefix_region_code is not null then '项目编号'
        end as region_source,
        registered_project_id is not null as is_registered_project,
        actual_start_date,
        fund_type,
        fund_year,
        batch,
        fund_category,
        doc_no,
        submitting_unit,
        is_policy_fund,
        is_central_provincial,
        is_free_grant,
        is_bond,
        is_free_grant_row,
        (
            is_free_grant_row
            and coalesce(fund_category = '{{ funds_var("funds_project_fund_category") }}', false)
        ) as is_project_fund_row,
        coalesce(fund_category, '') <> '{{ funds_var("funds_non_project_fund_category") }}' as is_project_row,
        requested_amount,
        issued_amount,
        issued_date,
        case
            when issued_amount is not null then coalesce(issued_date, {{ month_end('fund_year', 12) }})
        end as issued_on,
        received_amount,
        received_date,
        case
            when received_amount is not null then coalesce(received_date, {{ month_end('fund_year', 12) }})
        end as received_on,
        paid_amount,
        paid_as_of,
        coalesce(issued_amount, received_amount) as spend_base
    from flagged
)

select * from final
