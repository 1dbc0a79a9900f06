-- Where the plan documents contradict themselves: every target row of a conflict group, with the
-- values of the other rows of the group. Both rows are kept as targets; nothing is picked silently.
with

targets as (
    select * from {{ ref('plan_targets') }}
    where conflict_group is not null and conflict_group <> ''
),

groups as (
    select
        conflict_group,
        count(*) as rows_in_group,
        count(distinct target_value) as distinct_values,
        count(distinct metric_key) as distinct_metrics,
        cast(min(target_value) as decimal(20, 6)) as min_value,
        cast(max(target_value) as decimal(20, 6)) as max_value
    from targets
    group by conflict_group
),

final as (
    select
        targets.conflict_group,
        targets.target_id,
        targets.region_code,
        targets.plan_year,
        targets.section,
        targets.indicator_zh,
        targets.metric_key,
        targets.target_value,
        targets.unit,
        targets.lead_unit,
        targets.source_doc,
        targets.source_text,
        groups.rows_in_group,
        groups.min_value,
        groups.max_value,
        case
            when groups.distinct_values > 1 then '数值不同 different values'
            when groups.distinct_metrics > 1 then '指标不同 different indicators'
            else '表述不同 different wording'
        end as conflict_kind,
        targets.notes
    from targets
    inner join groups on targets.conflict_group = groups.conflict_group
)

select * from final
