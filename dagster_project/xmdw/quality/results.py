"""Results as data: run the catalog over the warehouse and record every outcome.

- `raw.dq_runs`          one row per validation stage of a run (the raw tables)
- `raw.dq_rule_results`  one row per rule and table per run (success, rows checked, rows failing)
- `raw.dq_results`       one row per offending row/finding (unit, file, sheet, row, column, value, message)
- `raw.dq_excluded_rows` the rows fatal row-level rules hold back from staging — replaced per entity on
                         every run, so a corrected resubmission (a new revision) flows through.
- `raw.dq_checked_files` the files the incremental rules checked, per rule-set version: a raw run checks
                         new rows and carries the rest forward (quality/incremental.py); `full=True`,
                         a changed rule set or `write=False` validate every row.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime

from xmdw.contract import load_contract
from xmdw.quality import incremental, recording
from xmdw.quality.catalog import is_mart, mart_tables_with_rules, raw_tables_with_rules
from xmdw.quality.dialect import Connection, append_rows, check_settings, in_list
from xmdw.quality.gx_runner import NEW_ROWS, hold_validation, validate_rows, validate_table_rules
from xmdw.quality.outcomes import RuleOutcome, TableValidation
from xmdw.quality.relations import hold_recorded, prepare, release
from xmdw.warehouse.store import LOG_TABLES, RAW, ensure_schema, insert_records


@dataclass
class DqRun:
    run_id: str
    stage: str
    started_at: datetime
    validations: list[TableValidation] = field(default_factory=list)
    seconds: float = 0.0
    rule_set_version: str | None = None
    carried_forward: bool = False  # results of rows checked by an earlier run were carried forward

    def gx_rows(self, group: str) -> int:
        """Rows handed to GX by one group of row rules (gx_runner.NEW_ROWS: the incremental rules)."""
        return sum(v.gx_rows.get(group, 0) for v in self.validations)

    @property
    def gx_rows_other(self) -> int:
        return sum(n for v in self.validations for g, n in v.gx_rows.items() if g != NEW_ROWS)

    @property
    def files_new(self) -> int:
        return sum(len(v.new_files) for v in self.validations)

    @property
    def blocked_tables(self) -> list[str]:
        return [v.table for v in self.validations if v.blocking_failures]

    def count(self, severity: str) -> int:
        if severity == "info":
            return sum(o.note_count for v in self.validations for o in v.outcomes)
        return sum(
            o.unexpected_count for v in self.validations for o in v.outcomes if o.rule.severity == severity
        )

    @property
    def rows_held_back(self) -> int:
        return sum(v.rows_held_back for v in self.validations)

    def validation(self, table: str) -> TableValidation | None:
        return next((v for v in self.validations if v.table == table), None)


def new_run_id() -> str:
    return uuid.uuid4().hex[:12]


def _now() -> datetime:
    return datetime.now().replace(microsecond=0)


def _rule_row(run: DqRun, table: str, o: RuleOutcome, now: datetime) -> dict:
    return {
        "run_id": run.run_id,
        "rule_id": o.rule.id,
        "table_name": table,
        "rule_group": o.rule.group,
        "scope": o.rule.scope,
        "severity": o.rule.severity,
        "success": o.success,
        "element_count": o.element_count,
        "unexpected_count": o.unexpected_count,
        "blocking": o.blocking,
        "checked_at": now,
    }


def _run_row(run: DqRun, rule_rows: list[dict], now: datetime) -> dict:
    return {
        "run_id": run.run_id,
        "stage": run.stage,
        "started_at": run.started_at,
        "finished_at": now,
        "seconds": round(run.seconds, 3),
        "tables_validated": len(run.validations),
        "rows_validated": sum(v.rows for v in run.validations),
        "rules_run": len(rule_rows),
        "rules_failed": sum(1 for r in rule_rows if not r["success"]),
        "fatal_count": run.count("fatal"),
        "warning_count": run.count("warning"),
        "info_count": run.count("info"),
        "rows_held_back": run.rows_held_back,
        "blocked_tables": ",".join(run.blocked_tables) or None,
        "rule_set_version": run.rule_set_version,
        "carried_forward": run.carried_forward,
        "files_new": run.files_new,
        "gx_rows_incremental": run.gx_rows(NEW_ROWS),
        "gx_rows_other": run.gx_rows_other,
    }


def record(con: Connection, run: DqRun) -> None:
    """Write a run's outcomes to the dq tables (one transaction) and replace the validated tables'
    held-back rows. The findings and held-back rows go from the run's findings relation to the log tables
    in the engine (quality/recording.py); the caller ran `stage_outcomes` after the last verdict."""
    ensure_schema(con, load_contract())
    now = _now()
    rule_rows = [_rule_row(run, v.table, o, now) for v in run.validations for o in v.outcomes]
    con.execute("BEGIN TRANSACTION")
    try:
        tables = [v.table for v in run.validations]
        if tables:
            con.execute(f"DELETE FROM {RAW}.dq_excluded_rows WHERE entity IN {in_list(tables)}", tables)
        recording.insert_excluded(con, tables, run.run_id, now)
        _insert(con, "dq_rule_results", rule_rows)
        recording.insert_results(con, tables, run.run_id, now)
        if run.rule_set_version:  # the files this run checked: later runs carry their results forward
            checked = incremental.checked_records(run.run_id, run.rule_set_version, run.validations)
            _insert(con, "dq_checked_files", checked)
        insert_records(con, "dq_runs", [_run_row(run, rule_rows, now)])
        con.execute("COMMIT")
    except Exception:
        con.execute("ROLLBACK")
        raise


def _insert(con: Connection, table: str, rows: list[dict]) -> None:
    """Typed bulk insert (store.insert_records casts through text: fine for logs, slow at scale)."""
    if not rows:
        return
    append_rows(con, f"{RAW}.{table}", rows, LOG_TABLES[table])


def validate(
    con: Connection,
    run_id: str | None = None,
    tables: list[str] | None = None,
    stage: str = "raw",
    write: bool = True,
    full: bool = False,
) -> DqRun:
    """Validate raw tables (default: every one with rules; the marts are checked by dbt tests, so stage
    'marts' finds nothing to do) and record the results. The one entry point used by the Dagster checks,
    the CLI-free callers and tests.

    Raw tables are validated incrementally when results are written: rows of files already checked under
    the current rule set keep their results (quality/incremental.py); `full=True` revalidates every row."""
    started_at, started = _now(), time.perf_counter()
    if tables is None:
        tables = raw_tables_with_rules() if stage == "raw" else existing_marts(con)
    tables = [t for t in tables if not is_mart(t)]
    run = DqRun(run_id or new_run_id(), stage, started_at)
    if write:
        ensure_schema(con, load_contract())  # a warehouse that never ingested still gets its raw tables
        if tables:
            run.rule_set_version = incremental.rule_set_version()  # before prepare() reads the seeds
    with check_settings(con):
        _check(con, run, tables, full)
        if run.rule_set_version and incremental.rule_set_version() != run.rule_set_version:
            # rules, contract or seeds changed while this run read them: record nothing as checked, so
            # the next run is a full one under the new version
            run.rule_set_version = None
        run.seconds = time.perf_counter() - started
        if write:
            record(con, run)
    return run


def _check(con: Connection, run: DqRun, tables: list[str], full: bool) -> None:
    """Every rule of the tables, findings into the run's findings relation, outcomes into `run`."""
    prepare(con)
    sources: dict[str, str] = {}
    if run.rule_set_version and not full:
        sources = incremental.mark_seen(con, run.rule_set_version, tables)
    run.validations = [validate_rows(con, table) for table in tables]
    for v in run.validations:
        if v.table in sources:
            incremental.carry_forward(con, v, sources[v.table])
            run.carried_forward = True
    _run_table_rules(con, run)
    recording.stage_outcomes(con, run.validations)
    held = recording.held_back(con, [v.table for v in run.validations])
    for v in run.validations:
        v.held_back = held[v.table]


def _run_table_rules(con: Connection, run: DqRun) -> None:
    """Table rules read what staging will read: nothing a row rule of this run holds back, nor what an
    earlier run holds back in a table not validated now."""
    validated = [v.table for v in run.validations]
    try:
        for v in run.validations:
            hold_validation(con, v)
        if validated and _has_raw_table(con, "dq_excluded_rows"):
            hold_recorded(con, [t for t in raw_tables_with_rules() if t not in validated])
        for v in run.validations:
            validate_table_rules(con, v)
    finally:
        release(con)


def _has_raw_table(con: Connection, name: str) -> bool:
    return bool(
        con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = ? AND table_name = ?",
            [RAW, name],
        ).fetchall()[0][0]
    )


def existing_marts(con: Connection) -> list[str]:
    """The catalog's marts that exist in the warehouse: none, the marts are checked by dbt tests (kept for
    the callers that list GX checks per mart)."""
    present = {
        f"{s}.{t}"
        for s, t in con.execute(
            "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = 'marts'"
        ).fetchall()
    }
    return [t for t in mart_tables_with_rules() if t in present]
