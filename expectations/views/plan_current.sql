select project_id, plan_year, plan_version, plan_category, annual_planned_investment
from (
    select p.*, row_number() over (
        partition by project_id, plan_year
        order by case plan_version when '中期调整' then 0 else 1 end, _revision desc) as rk
    from cur_annual_plans p
) s
where rk = 1
