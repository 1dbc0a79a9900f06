-- The project cohorts of the 五率 per report month: one row per cohort x project x month; a project belongs to
-- every cohort whose condition it meets (county_new_start_key: 新开工 county key projects, city_new_start_key:
-- 新开工 city key projects, all_new_start, all_due_completion: due to complete in the year, key_due_completion).
-- int_rate_facts and the lineage (int_figure_rate_parts) read it. Definitions: docs/metrics/rates.md#cohorts
with

planned as (
    select * from {{ ref('int_planned_project_months') }}
),

final as (
    select planned.*, 'county_new_start_key' as cohort
    from planned where plan_category = '新开工' and is_key_project
    union all
    select planned.*, 'city_new_start_key' as cohort
    from planned where plan_category = '新开工' and is_city_key_project
    union all
    select planned.*, 'all_new_start' as cohort
    from planned where plan_category = '新开工'
    union all
    select planned.*, 'all_due_completion' as cohort
    from planned where is_due_to_complete
    union all
    select planned.*, 'key_due_completion' as cohort
    from planned where is_due_to_complete and is_key_project
)

select * from final
