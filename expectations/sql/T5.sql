-- T5: A single month's investment is not above 50 % of the annual plan
select s._file_id, s._sheet, s._source_row,
       '本月 ' || cast(s.month_value as varchar) || ' / 年度计划 ' || cast(p.annual_planned_investment as varchar) as observed
from progress_seq s
join plan_current p on p.project_id = s.project_id and p.plan_year = s.year
where s.month > 2 and p.annual_planned_investment > 0 and s.month_value > 0.5 * p.annual_planned_investment
