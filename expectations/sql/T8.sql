-- T8: The stage does not move backwards between submissions
select c._file_id, c._sheet, c._source_row, o.stage || ' → ' || c.stage as observed
from cur_projects c
join raw.projects o on o.project_id = c.project_id and o._revision = c._revision - 1
join stage_rank rc on rc.stage = c.stage
join stage_rank ro on ro.stage = o.stage
where rc.rank_no < ro.rank_no
