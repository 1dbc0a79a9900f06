-- B11: Actual start/completion/operation and library-entry dates are not in the future (nor before 1990)
select t._file_id, t._sheet, t._source_row,
       concat_ws('；', '开工 ' || cast(t.actual_start_date as varchar), '竣工 ' || cast(t.actual_completion_date as varchar),
                 '投产 ' || cast(t.actual_operation_date as varchar), '入库 ' || cast(t.stats_entry_date as varchar)) as observed
from {rows} as t
where t.actual_start_date > cast(t._ingested_at as date) or t.actual_completion_date > cast(t._ingested_at as date)
      or t.actual_operation_date > cast(t._ingested_at as date) or t.stats_entry_date > cast(t._ingested_at as date)
      or t.actual_start_date < date '1990-01-01' or t.actual_completion_date < date '1990-01-01'
      or t.actual_operation_date < date '1990-01-01'
