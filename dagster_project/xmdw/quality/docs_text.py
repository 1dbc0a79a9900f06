"""The prose of docs/data_quality.md (xmdw.quality.docs fills in the figures and the rule tables)."""

HEADER = """\
# Data quality (数据质量)

<!-- {generated} -->

Every rule is one file: `expectations/rules/<ID>.yml` (what it checks, the message to the unit, what a
failure does — `on_fail` — and the published figures it `protects`), with its SQL in
`expectations/sql/<ID>.sql` for SQL rules (the offending rows' lineage: `_file_id`, `_sheet`,
`_source_row`, `observed`); `expectations/README.md` describes the fields. The runner
(`dagster_project/xmdw/quality/`), the Dagster asset checks, the 数据质量报告 / 退回修改清单 and this page
all read them. This page lists **{n} rules** on the units' ledgers ({n_sql} SQL rules, {n_native} Great
Expectations column expectations); the marts are checked by dbt tests (below).

## What a rule does when it fails (`on_fail`, declared in the rule file)

| on_fail | rules | effect |
|---|---|---|
| **hold_rows** (fatal · row) | {n_hold_rows} | Like the DATA Act Broker: the offending rows are **held back** from the authoritative layer until the unit fixes them. Their lineage (entity, `_file_id`, `_sheet`, `_source_row`, rule) goes to `raw.dq_excluded_rows`; the generated staging models leave them out (`latest_revision` macro, a portable `NOT EXISTS` anti-join). The exclusions are recomputed on every run, so a corrected resubmission (a new revision of the same natural key) flows through. The superseded revision is **not** brought back while the new one is held: it was replaced by the unit itself and was never the current figure. The table's check reports WARN (it does not block). |
| **hold_file** (fatal · table) | {n_hold_file} | A finding names a file (an empty submission, row counts that do not reconcile: F5, F6, F7): **every row of that file is held back** (written to `raw.dq_excluded_rows` like row holds); the unit sees it as fatal, every other file, unit and region publishes. A finding that names no file has nothing to hold and blocks the table like `block_table`. |
| **block_table** (fatal · table) | {n_block_table} | The table's Dagster asset check fails with **ERROR** (blocking: the dbt models do not build, the marts keep their last good contents). No rule on the units' ledgers does that since issue 10: *a region's marts never depend on another region's mistake* (audit below). |
| **report** (warning) | {n_report} | Never blocks. Recorded in `raw.dq_results`, listed in the report for the unit to confirm or correct. Statistical screens are warnings only and never correct anything. |

The loader accepts only these combinations (fatal row → `hold_rows`; fatal table → `hold_file` or
`block_table`; warning → `report`); the Python executes what the file says (`quality/outcomes.py`).
Table rules run **after** the row rules and read only what staging will read: `cur_<entity>` is the
latest revision minus the rows held back in this run (and those an earlier run holds back in tables not
validated now) — decided once, in the runner (`quality/relations.py`), not per rule.

Ingestion's own checks come first (decision 6): a value that cannot be read as its type or an empty
required field rejects the row (`ING-NUM`, `ING-DATE`, `ING-REQ`, `ING-DUP` … in `raw.rejected_rows`); a
file that cannot be used is quarantined (`ING-F0`–`ING-F5` in `raw.ingest_log`). The report lists both
with the rule findings, because units must fix them too. Domain checks (a code outside its list, dates in
the wrong order, cumulative figures that decrease …) are the rules below.

**Mart rules** (M1–M11: bounds of rates and paces, reconciliation of a mart with its staging rows,
completeness of the targets × months, scorecard sums, conflict groups) are **dbt tests** on the marts
(`dbt_models/`), which dagster-dbt runs as blocking asset checks: a failed one keeps the build from being
published. One check system per layer: rule files on the units' ledgers, dbt tests on the models.

## How the rules run

- The raw tables' rules run in **one Dagster step** (`gx_raw_tables`, one blocking asset check
  `gx_<table>` per raw table) after ingestion and before dbt. `xmdw.quality.results.validate(con)` runs the
  same thing without Dagster.
- **SQL rules run in the engine** (DuckDB, or PostgreSQL with `XMDW_ENGINE=postgres`), **once each**, into
  the run's findings relation (`dq_found`, `quality/findings.py`): `insert into dq_found select …` — a row
  rule's offending rows joined to the table for file name, unit, submission time and natural key, a table
  rule's findings (a file, a region-month, a unit-year), notes and passes. Count, lineage and held-back keys
  come from that one execution. The SQL is written once, in the subset both engines accept
  (`expectations/README.md`); the same findings on both engines are tested rule by rule
  (`tests/test_engine_rules*.py`). **Great Expectations gives the verdict.** On DuckDB on a bounded sample:
  per table one frame of at most 200 offending rows per rule (a `__rule` column) and one
  `ExpectColumnValuesToNotBeInSet(__rule, [<IDs>])` for all SQL rules — a rule passes when GX flags none of
  its rows. On PostgreSQL in the server: each SQL rule is a GX `UnexpectedRowsExpectation` whose query
  reads the rule's rows of `dq_found`, on a GX SQL datasource built on the run's own connection
  (`quality/gx_engine.py`); the rule's own query is not run again for GX.
- **Findings stay in the engine.** `raw.dq_results`, `raw.dq_excluded_rows` and the rows hidden from the
  table rules (`dq_held`) are written from `dq_found` by `insert … select` (`quality/recording.py`); values
  are tidied in SQL as in Python (`findings.tidy_sql`). Python keeps the counts and at most 200 findings
  per rule (`findings.KEPT`: the check's metadata, the web check page).
- **Column expectations** (`expect_column_values_to_be_in_set` with the code lists of
  `seeds/code_lists.csv`, `…_to_be_between`, `…_to_match_regex`, `…_to_not_be_null`) are validated by GX on
  the rows themselves: the rows are numbered in a temp table with their lineage, GX gets chunks of 102,400
  rows with only the rules' columns, and the lineage of the rows it flags is copied in SQL.
  Peak memory therefore depends on one chunk and the bounded findings, never on the size of a table nor on
  how much the rules find; DuckDB runs the stage under a 128 MB memory limit (`dialect.CHECK_SETTINGS`,
  spilling to the warehouse's temp folder).
- **Why not GX's SQL datasource?** Tried with GX 1.24.1, duckdb-engine 0.17 and SQLAlchemy 2.1.9:
  `context.data_sources.add_sql(connection_string="duckdb:///<file>")` and an
  `UnexpectedRowsExpectation(unexpected_rows_query=…)` on a query or table asset fail with
  `MetricResolutionError: 'NoneType' object is not subscriptable` (`query_row_count.py`: GX fetches the
  count after its `with get_connection()` block has returned the connection to the pool, and duckdb-engine's
  cursor is gone), with or without `poolclass=StaticPool` and `pool_reset_on_return=None`; afterwards
  `duckdb.connect(<file>)` in the same process fails with *Can't open a connection to same database file
  with a different configuration than existing connections*, i.e. GX's engine keeps the warehouse open.
  On PostgreSQL (psycopg2, SQLAlchemy 2.1) the same expectation works: 23 rules of `monthly_progress` in
  about 2 s on the county demo, the same verdicts and counts as DuckDB's.
- **New rows, not the history** (issue 11). A rule is *incremental* when it reads nothing but its own row
  (declared: `incremental: true`, {n_incremental} of the {n_row} row rules): a column expectation then gets
  only the rows of files not checked yet under the current **rule-set version** (a hash of the catalog
  files, `contract.yml` and `seeds/*.csv`), listed per version in `raw.dq_checked_files`, and an incremental
  SQL rule reads them as `{{rows}}`. Its findings on the other rows are carried forward from the last run
  that checked the table, minus the rows a later revision superseded, so `raw.dq_results` and
  `raw.dq_excluded_rows` are exactly what a full run would write. Every other row rule (cross-table,
  cross-period) is evaluated by the engine on every current row. A change of rules, contract or reference data
  starts a full run by itself; `validate(con, full=True)` forces one. `raw.dq_runs` records the version and
  the rows checked anew (`gx_rows_incremental`) and the offending rows of the other SQL rules handed to GX
  (`gx_rows_other`).
- Rule SQL may use `cur_<entity>` (latest revisions; for table rules without the rows held back),
  `{{rows}}` (a row rule's rows: `cur_<entity>`, or only the new ones for an incremental rule), `{{table}}`,
  `seed_<name>` (the reference CSVs, so rules work before dbt has built `ref.*`), `raw.*` (ingestion log,
  earlier revisions) and the views of `expectations/views/` ({views}).
- **S1 (Benford)** gives a verdict only for a unit-year with at least 300 single-month values; smaller
  samples are recorded as 说明 (info, `样本不足`) and never as a warning.
"""

RESULTS = """\
## Results as data

| table | one row per | columns |
|---|---|---|
| `raw.dq_runs` | validation stage of a run (`raw`) | run_id, stage, started_at, finished_at, seconds, tables_validated, rows_validated (current rows covered), rules_run, rules_failed, fatal_count, warning_count, info_count, rows_held_back, blocked_tables, rule_set_version, carried_forward, files_new, gx_rows_incremental, gx_rows_other |
| `raw.dq_rule_results` | rule × table × run | run_id, rule_id, table_name, rule_group, scope, severity, success, element_count, unexpected_count, blocking, checked_at |
| `raw.dq_results` | offending row / finding / info note | run_id, rule_id, severity (fatal / warning / info), rule_group, table_name, scope, submitting_unit, file_id, file_name, sheet, source_row, column_name, column_zh, record_key, observed_value, message_zh, held_back, blocking, submitted_at, detected_at |
| `raw.dq_excluded_rows` | held-back row (current state, replaced per entity each run) | entity, _file_id, _sheet, _source_row, rule_id, run_id, excluded_at |
| `raw.dq_checked_files` | file checked by the incremental rules, per rule-set version (state) | rule_set_version, entity, file_id, run_id, checked_at |

The run id is the Dagster run id's first 12 characters (as in `raw.ingest_log.run_id`).

## The report (data/reports/)

- `数据质量报告.html` — one self-contained page (renders offline): status (blocked / published with rows
  held back / clean), counts by severity with the change since the previous run, the trend of the last
  runs, a table per unit and per rule (this run, previous run, change), every problem by unit, the 说明
  notes, and these semantics.
- `退回修改清单.xlsx` — sheet 汇总 (unit × rule: this run, previous run, change), then one sheet per
  submitting unit: submission time, file, sheet, row, field, problem, value, rule, severity, action
  (暂扣不入库 / 阻断发布 / 请核改 / 请核实 / 退回 / 隔离), record — newest submission first. Ingestion
  rejections stay listed until a later submission **covers the row's natural key**; quarantined files stay
  until a later accepted file whose name starts with the quarantined file's name arrives. A finding goes to
  the unit of the file its row came from (the row's unit, the log's, the file name's); a file that names no
  unit goes to its region's lead unit (发改) or, if none is known, to the region. Every text cell is a
  neutralised string (`textsafe.neutralise`, never a formula); the HTML escapes all ledger text.
- Written by the Dagster report asset in every run — it depends only on the raw log tables, so a blocked
  run still writes it — and callable as `xmdw.reports.write_dq_report(paths)`.

## Severities chosen differently from domain-research §4

Where a research rule is fatal but the rule here is a warning (or the reverse), the rule's *note* says
why. The general reasoning: a fatal row rule holds the whole row back, so it is kept for errors that make
the row's figures or identity unusable (a code outside its list, impossible dates, a broken cash chain,
official figures from a non-statistics unit); incompleteness (a missing start date) and contradictions
where only the unit knows which of two figures is wrong (cumulative decreases, 入库 below 500 万元) are
warnings, so the data stays visible while the unit answers. Thresholds marked *tunable* are [P] in the
research and can be changed in the rule's SQL. Research rules without data in the contract (USCC, 构成,
documents, bonds, policy deadlines — the deadlines are tracked in `mart_fund_deadlines`) are not
implemented.
"""

BY_METRIC_INTRO = """\
## Rules by metric

Which rules guard the inputs of each published figure (the rules whose `protects` names the metric key;
metric keys are those of `seeds/plan_targets.csv`, bound to targets in `marts.mart_target_progress` and
defined in `docs/metrics/`). Families whose every key has the same guards are one line. Rules marked `*`
guard every figure (whole-file reconciliation, duplicate submissions).
"""

AUDIT_INTRO = """\
## Table-level rules: who a failure affects (issue 10 audit)

Issue 10 found that one county's January row, rightly held back by F3, still made F8 fail and blocked
every region's marts. Every table-scope rule was checked for the same flaw (does it read rows the row
rules hold back?) and for effects across regions (can one unit's or region's data stop another's?).
Since then table rules read only rows that survive the row rules (runner, once), and:
"""
