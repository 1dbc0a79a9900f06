-- 文字通报用数: one row per region × year × report month with every figure the 文字通报 paragraph of the
-- period reports prints (月通报, 季考核, 年终评), taken from the headline marts: the key projects' investment
-- completion against the 年初 plan and the time pace, the best and worst lead units, new 蜗牛 projects, fund
-- deadlines at risk, target statuses (完成 / 未完成 once due) and the quarter's lead-unit scorecard.
-- The report code formats these values and computes nothing. Definitions: docs/reports.md#narrative
with

months as (
    select * from {{ ref('int_report_months') }}
),

regions as (
    select region_code, name_zh from {{ ref('dim_region') }}
),

ranking as (
    select * from {{ ref('mart_investment_ranking') }}
),

key_rate as (
    select * from {{ ref('mart_five_rates') }}
    where scope = 'region' and rate_name = '计划投资完成率' and cohort = 'all_key' and is_primary
),

target_summary as (
    select * from {{ ref('mart_report_target_summary') }}
),

present as (
    select region_code, year, month from ranking where dimension = 'region'
    union
    select region_code, plan_year, month from target_summary
),

lead_units as (
    select
        region_code,
        year,
        month,
        max(groups_ranked) as lead_units_ranked,
        sum(case when pace_gap < 0 then 1 else 0 end) as lead_units_behind_pace,
        {{ ordered_text_agg("case when rank_completion = 1 then group_name end", "'、'", "group_name") }}
            as best_lead_unit,
        cast(max(case when rank_completion = 1 then completion_ratio end) as decimal(12, 6)) as best_lead_unit_ratio,
        max(rank_completion) as worst_rank
    from ranking
    where dimension = 'lead_unit' and rank_completion is not null
    group by region_code, year, month
),

worst_lead_units as (
    select
        lead_units.region_code,
        lead_units.year,
        lead_units.month,
        {{ ordered_text_agg("ranking.group_name", "'、'", "ranking.group_name") }} as worst_lead_unit,
        cast(max(ranking.completion_ratio) as decimal(12, 6)) as worst_lead_unit_ratio
    from lead_units
    inner join ranking
        on ranking.region_code = lead_units.region_code
        and ranking.year = lead_units.year
        and ranking.month = lead_units.month
        and ranking.dimension = 'lead_unit'
        and ranking.rank_completion = lead_units.worst_rank
    where lead_units.worst_rank > 1
    group by lead_units.region_code, lead_units.year, lead_units.month
),

snails as (
    select * from {{ ref('mart_snail_projects') }}
),

-- on this period's list and not on the previous one (the previous report month for the monthly list, the
-- previous quarter end for the quarterly list; the first list of the year is new throughout)
snails_new as (
    select
        snails.*,
        previous.project_id is null as is_new
    from snails
    left join snails as previous
        on previous.project_id = snails.project_id
        and previous.region_code = snails.region_code
        and previous.year = snails.year
        and previous.list_type = snails.list_type
        and previous.month = snails.month - case snails.list_type when 'month' then 1 else 3 end
),

snail_counts as (
    select
        region_code,
        year,
        month,
        sum(case when list_type = 'month' then 1 else 0 end) as snails_month,
        sum(case when list_type = 'month' and is_new then 1 else 0 end) as snails_month_new,
        {{ ordered_text_agg(
            "case when list_type = 'month' and is_new then project_name end", "'、'", "snail_rank_in_region, project_id"
        ) }} as snails_month_new_zh,
        sum(case when list_type = 'quarter' then 1 else 0 end) as snails_quarter,
        sum(case when list_type = 'quarter' and is_new then 1 else 0 end) as snails_quarter_new,
        {{ ordered_text_agg(
            "case when list_type = 'quarter' and is_new then project_name end", "'、'", "snail_rank_in_region, project_id"
        ) }} as snails_quarter_new_zh
    from snails_new
    group by region_code, year, month
),

deadlines as (
    select
        region_code,
        year,
        month,
        sum(case when status = '逾期' then 1 else 0 end) as deadlines_overdue,
        sum(case when status = '临近' then 1 else 0 end) as deadlines_near,
        {{ ordered_text_agg(
            "case when status in ('逾期', '临近') then project_name || '（' || milestone || '）' end", "'、'", "due_date, project_name"
        ) }} as deadlines_at_risk_zh
    from {{ ref('mart_fund_deadlines') }}
    group by region_code, year, month
),

scorecard as (
    select
        region_code,
        plan_year,
        as_of_month,
        count(*) as scored_units,
        max(units_ranked) as units_ranked,
        {{ ordered_text_agg(
            "case when unit_rank = 1 then lead_unit end", "'、'", "lead_unit"
        ) }} as best_units,
        cast(max(case when unit_rank = 1 then on_track_share end) as decimal(12, 6)) as best_units_share,
        max(unit_rank) filter (where on_track_share is not null) as worst_rank
    from {{ ref('mart_report_unit_scorecard') }}
    group by region_code, plan_year, as_of_month
),

worst_units as (
    select
        scorecard.region_code,
        scorecard.plan_year,
        scorecard.as_of_month,
        {{ ordered_text_agg("units.lead_unit", "'、'", "units.lead_unit") }} as worst_units,
        cast(max(units.on_track_share) as decimal(12, 6)) as worst_units_share
    from scorecard
    inner join {{ ref('mart_report_unit_scorecard') }} as units
        on units.region_code = scorecard.region_code
        and units.plan_year = scorecard.plan_year
        and units.as_of_month = scorecard.as_of_month
        and units.unit_rank = scorecard.worst_rank
    where scorecard.worst_rank > 1
    group by scorecard.region_code, scorecard.plan_year, scorecard.as_of_month
),

final as (
    select
        present.region_code,
        coalesce(regions.name_zh, present.region_code) as region_name,
        -- how a bulletin names the whole region: 全县, 全区, 全市 …
        '全' || right(coalesce(regions.name_zh, '县'), 1) as region_scope_zh,
        present.year,
        present.month,
        months.quarter,
        months.is_quarter_end,
        months.period_label,
        cast(present.month / 12.0 as decimal(12, 6)) as time_pace,
        -- the key projects (计划投资完成率, all_key, against the 年初 plan: decision 53)
        cast(key_rate.cohort_size as integer) as key_projects,
        cast(key_rate.numerator as decimal(20, 4)) as key_ytd_completed_wan,
        cast(key_rate.denominator as decimal(20, 4)) as key_annual_plan_wan,
        key_rate.rate as key_completion_ratio,
        cast(key_rate.rate - present.month / 12.0 as decimal(12, 6)) as key_pace_gap,
        key_rate.coverage_note_zh as key_coverage_note_zh,
        -- every planned project (mart_investment_ranking, region row)
        cast(region_rank.projects_planned as integer) as all_projects,
        region_rank.completion_ratio as all_completion_ratio,
        region_rank.pace_gap as all_pace_gap,
        cast(region_rank.rank_completion as integer) as region_rank,
        cast(region_rank.groups_ranked as integer) as regions_ranked,
        -- lead units by investment completion
        cast(lead_units.lead_units_ranked as integer) as lead_units_ranked,
        cast(lead_units.lead_units_behind_pace as integer) as lead_units_behind_pace,
        lead_units.best_lead_unit,
        lead_units.best_lead_unit_ratio,
        worst_lead_units.worst_lead_unit,
        worst_lead_units.worst_lead_unit_ratio,
        -- 蜗牛 projects
        cast(coalesce(snail_counts.snails_month, 0) as integer) as snails_month,
        cast(coalesce(snail_counts.snails_month_new, 0) as integer) as snails_month_new,
        snail_counts.snails_month_new_zh,
        cast(coalesce(snail_counts.snails_quarter, 0) as integer) as snails_quarter,
        cast(coalesce(snail_counts.snails_quarter_new, 0) as integer) as snails_quarter_new,
        snail_counts.snails_quarter_new_zh,
        -- fund and bond deadlines
        cast(coalesce(deadlines.deadlines_overdue, 0) as integer) as deadlines_overdue,
        cast(coalesce(deadlines.deadlines_near, 0) as integer) as deadlines_near,
        deadlines.deadlines_at_risk_zh,
        -- targets (report statuses)
        target_summary.targets_total,
        target_summary.targets_due,
        target_summary.targets_completed,
        target_summary.targets_not_completed,
        target_summary.targets_met,
        target_summary.targets_on_track,
        target_summary.targets_behind,
        target_summary.targets_severely_behind,
        target_summary.targets_without_data,
        target_summary.targets_forecast_missed,
        target_summary.not_completed_zh,
        target_summary.forecast_missed_zh,
        -- the quarter's lead-unit scorecard (quarter-end months only)
        cast(scorecard.scored_units as integer) as scored_units,
        cast(scorecard.units_ranked as integer) as units_ranked,
        scorecard.best_units,
        scorecard.best_units_share,
        worst_units.worst_units,
        worst_units.worst_units_share
    from present
    inner join months
        on months.region_code = present.region_code
        and months.year = present.year
        and months.month = present.month
    left join regions on regions.region_code = present.region_code
    left join key_rate
        on key_rate.region_code = present.region_code
        and key_rate.year = present.year
        and key_rate.month = present.month
    left join ranking as region_rank
        on region_rank.region_code = present.region_code
        and region_rank.year = present.year
        and region_rank.month = present.month
        and region_rank.dimension = 'region'
    left join lead_units
        on lead_units.region_code = present.region_code
        and lead_units.year = present.year
        and lead_units.month = present.month
    left join worst_lead_units
        on worst_lead_units.region_code = present.region_code
        and worst_lead_units.year = present.year
        and worst_lead_units.month = present.month
    left join snail_counts
        on snail_counts.region_code = present.region_code
        and snail_counts.year = present.year
        and snail_counts.month = present.month
    left join deadlines
        on deadlines.region_code = present.region_code
        and deadlines.year = present.year
        and deadlines.month = present.month
    left join target_summary
        on target_summary.region_code = present.region_code
        and target_summary.plan_year = present.year
        and target_summary.month = present.month
    left join scorecard
        on scorecard.region_code = present.region_code
        and scorecard.plan_year = present.year
        and scorecard.as_of_month = present.month
    left join worst_units
        on worst_units.region_code = present.region_code
        and worst_units.plan_year = present.year
        and worst_units.as_of_month = present.month
)

select * from final
