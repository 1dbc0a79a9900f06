"""Validate new rows, not the whole history (issue 11 item 6): the state that lets a run skip rows whose
results cannot have changed, and the carrying forward of those results.

- **Rule-set version**: a hash of the rule catalog (`expectations/rules/`, `sql/`, `views/`), the contract
  and `seeds/*.csv` (and
  `RUNNER_REVISION`, bumped when a change of this package changes what a rule finds). A row's result
  depends on nothing else, so any change of rules, contract or reference data starts a full run.
- **`raw.dq_checked_files`** (rule_set_version, entity, file_id, run_id, checked_at): the files whose
  rows the incremental rules have checked under a version, written with the run's results (one
  transaction). Raw rows are append-only and a file's rows never change, so a checked file needs no
  second look; its rows can only *stop* being current (a later revision supersedes them).
- **Carrying forward**: an incremental rule gets the rows of files not checked yet (`relations.dq_seen`
  holds the others). Its findings on rows of checked files are copied from the latest run that checked
  files of the table under this version, keeping only rows that are still the current revision — so
  `raw.dq_results` and `raw.dq_excluded_rows` are exactly what a full run would write. That run's
  findings cover every checked file: a row current now was current then (a superseded row never
  returns), and each run's findings are complete for the rows current at its time.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from xmdw.contract import CONTRACT_FILE
from xmdw.core.paths import SEEDS_DIR
from xmdw.quality.catalog import catalog_files
from xmdw.quality.dialect import Connection, in_list
from xmdw.quality.outcomes import Finding, TableValidation
from xmdw.quality.relations import SEEN
from xmdw.warehouse.store import RAW

CHECKED = "dq_checked_files"
RUNNER_REVISION = "2"  # 2: rules as files, SQL rules run in DuckDB (issue 13)


def rule_set_version() -> str:
    """16 hex digits of the rule set: catalog, contract and reference data (file names and bytes)."""
    digest = hashlib.sha256(f"runner {RUNNER_REVISION}\n".encode())
    for path in [*catalog_files(), CONTRACT_FILE, *sorted(SEEDS_DIR.glob("*.csv"))]:
        digest.update(f"{path.parent.name}/{path.name}\n".encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def mark_seen(con: Connection, version: str, tables: list[str]) -> dict[str, str]:
    """Fill `dq_seen` with the files checked under `version` for these tables; return, per table, the
    run whose findings carry forward (the latest one that checked files of it under this version)."""
    where = f"rule_set_version = ? AND entity IN {in_list(tables)}"
    con.execute(f"INSERT INTO {SEEN} SELECT DISTINCT entity, file_id FROM {RAW}.{CHECKED} WHERE {where}",
                [version, *tables])  # fmt: skip
    return dict(
        con.execute(
            # the latest run per entity (row_number, not DuckDB's arg_max; run_id breaks a tie)
            f"SELECT entity, run_id FROM (SELECT entity, run_id, row_number() OVER (PARTITION BY entity "
            f"ORDER BY checked_at DESC, run_id DESC) AS rk FROM {RAW}.{CHECKED} WHERE {where}) AS c "
            "WHERE rk = 1",
            [version, *tables],
        ).fetchall()
    )


def _carried(con: Connection, table: str, run_id: str, rule_ids: list[str]) -> list[tuple]:
    """The findings of `run_id` for these rules on rows of checked files that are still current."""
    return con.execute(
        f"""
        SELECT d.rule_id, d.submitting_unit, d.file_id, d.file_name, d.sheet, d.source_row, d.column_name,
               d.record_key, d.observed_value, d.submitted_at
        FROM {RAW}.dq_results AS d
        WHERE d.run_id = ? AND d.table_name = ? AND d.scope = 'row' AND d.severity IN ('fatal', 'warning')
          AND d.rule_id IN {in_list(rule_ids)}
          AND EXISTS (SELECT 1 FROM {SEEN} AS s WHERE s.entity = d.table_name AND s.file_id = d.file_id)
          AND EXISTS (SELECT 1 FROM latest_{table} AS l WHERE l._file_id = d.file_id
                      AND l._sheet IS NOT DISTINCT FROM d.sheet AND l._source_row = d.source_row)
        ORDER BY d.file_id, d.sheet, d.source_row
        """,
        [run_id, table, *rule_ids],
    ).fetchall()


def carry_forward(con: Connection, validation: TableValidation, run_id: str) -> int:
    """Add the carried findings to the table's incremental outcomes; returns how many were carried."""
    outcomes = {o.rule.id: o for o in validation.outcomes if o.rule.is_incremental}
    if not outcomes:
        return 0
    rows = _carried(con, validation.table, run_id, sorted(outcomes))
    for rule_id, unit, file_id, file_name, sheet, row, column, key, observed, submitted in rows:
        o = outcomes[rule_id]
        o.findings.append(
            Finding(unit, file_id, file_name, sheet, row, column, key, observed, _plain_time(submitted))
        )
        o.offending_rows.append(
            {"_file_id": file_id, "_source_file": file_name, "_sheet": sheet, "_source_row": row,
             "_submitting_unit": unit}
        )  # fmt: skip
        o.unexpected_count += 1
        o.success = False
    return len(rows)


def _plain_time(value) -> datetime | None:
    return value.to_pydatetime() if hasattr(value, "to_pydatetime") else value


def checked_records(run_id: str, version: str, validations: list[TableValidation]) -> list[dict]:
    """dq_checked_files rows for the files a run checked for the first time under `version`."""
    now = datetime.now()  # microseconds: two runs within one second still order
    return [
        {"rule_set_version": version, "entity": v.table, "file_id": fid, "run_id": run_id, "checked_at": now}
        for v in validations
        for fid in v.new_files
    ]
