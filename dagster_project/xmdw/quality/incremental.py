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
from xmdw.quality.findings import carry, load
from xmdw.quality.outcomes import TableValidation
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


def carry_forward(con: Connection, validation: TableValidation, run_id: str) -> int:
    """Copy the carried findings into the run's findings relation (in the engine) and recount the table's
    incremental outcomes; returns how many were carried."""
    outcomes = [o for o in validation.outcomes if o.rule.is_incremental]
    if not outcomes:
        return 0
    before = {o.rule.id: o.unexpected_count for o in outcomes}
    carry(con, validation.table, run_id, sorted(before), SEEN)
    load(con, validation.table, outcomes)
    carried = 0
    for o in outcomes:
        added = o.unexpected_count - before[o.rule.id]
        if added:
            o.success = False
        carried += added
    return carried


def checked_records(run_id: str, version: str, validations: list[TableValidation]) -> list[dict]:
    """dq_checked_files rows for the files a run checked for the first time under `version`."""
    now = datetime.now()  # microseconds: two runs within one second still order
    return [
        {"rule_set_version": version, "entity": v.table, "file_id": fid, "run_id": run_id, "checked_at": now}
        for v in validations
        for fid in v.new_files
    ]
