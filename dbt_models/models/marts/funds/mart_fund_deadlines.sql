-- Bond deadlines for the finance office: every special-bond / treasury-bond tranche (a fund row of a bond
-- type with an issued amount) × each applicable milestone of seeds/policy_deadlines.csv × report month,
-- with the due date, days left and a status as of the end of the month. Deadlines are data: a
-- region-specific row overrides the national row of the same fund type, vintage and milestone.
-- Definitions: docs/metrics/funds.md#mart-fund-deadlines
with

funds as (
    select * from {{ ref('int_fund_rows') }}
),

paid_snapshots as (
    select * from {{ ref('int_fund_paid_snapshots') }}
),

deadlines as (
    select * from {{ ref('policy_deadlines') }}
),

report_months as (
    select month, label_zh from {{ ref('dim_report_month') }}
),

regions as (
    select region_code, name_zh as region_name from {{ ref('dim_region') }}
),

report_years as (
    select distinct year from {{ ref('int_report_months') }}
    union
    select distinct fund_year from funds
    union
    select distinct {{ year_of('due_date') }} from deadlines
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
        {{ funds_milestone_kind('applicable.milestone') }} as milestone_kind,
        applicable.due_date,
        applicable.threshold_ratio,
        applicable.deadline_scope,
        applicable.source_doc as deadline_source_doc,
        applicable.source_text as deadline_source_text,
        coalesce({{ year_of('applicable.due_date') }}, tranches.fund_year) as last_report_year
    from tranches
    left join (select * from applicable_deadlines where scope_rank = 1) as applicable
        on tranches.fund_row_key = applicable.fund_row_key
),

-- the first snapshot date at which the cumulative paid amount reached the milestone's share of the base
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

-- report months from the fund year to the year of the due date
milestone_months as (
    select
        tranche_milestones.*,
        report_years.year,
        report_months.month,
        report_months.label_zh as period_label,
        {{ month_end('report_years.year', 'report_months.month') }} as as_of_date,
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

-- the region's latest month with fund data (the month of its latest issued/received/paid date)
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
            when {{ month_of('data_date') }} = 1 then ({{ year_of('data_date') }} - 1) * 100 + 12
            else {{ year_of('data_date') }} * 100 + {{ month_of('data_date') }}
        end as latest_period
    from region_data_dates
),

measured as (
    select
        milestone_months.*,
        paid.paid_amount as paid_wan,
        coalesce(milestone_months.done_on <= milestone_months.as_of_date, false) as is_done,
        cast({{ dbt.datediff('milestone_months.as_of_date', 'milestone_months.due_date', 'day') }} as bigint) as days_left,
        case
            when milestone_months.milestone_kind in ('发行', '开工')
                then case when milestone_months.done_on <= milestone_months.as_of_date then 1.0 else 0.0 end
            when milestone_months.milestone_kind = '支付'
                then {{ safe_ratio('coalesce(paid.paid_amount, 0)', 'milestone_months.spend_base', 20) }}
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
        and {{ funds_snapshot_valid_at('paid', 'milestone_months.as_of_date') }}
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
            when measured.days_left <= {{ funds_var('funds_at_risk_days') }} then '临近'
            else '未到期'
        end as status
    from measured
    left join regions on measured.region_code = regions.region_code
)

select * from final
