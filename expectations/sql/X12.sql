-- X12: Σ project YTD (STATS) per region-month ≤ 105 % of the published FAI total
select min(m._submitting_unit) as submitting_unit,
       p.region_code || ' ' || m.year || '年' || m.month || '月' as record_key,
       '项目合计 ' || cast(sum(m.ytd_completed) as varchar) || ' > 公布 ' || cast(min(f.value) as varchar) as observed
from cur_monthly_progress m
join cur_projects p on p.project_id = m.project_id
join cur_fai_aggregates f
  on f.region_code = p.region_code and f.year = m.year and f.month = m.month and f.indicator_code = 'FAI_TOTAL'
where m.basis = 'STATS' and f.value is not null
group by p.region_code, m.year, m.month
having sum(m.ytd_completed) > 1.05 * min(f.value)
