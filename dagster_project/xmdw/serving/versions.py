"""Every publish is a dated version: data/serving/versions/v0001/ …

A version keeps what is needed to say later what was published and why it changed, not a copy of
everything: the headline figures (`marts.figure_values`), their lineage down to ledger rows
(`marts.figure_sources`), the input files with their sha256 (`raw.ingest_log`) and the summary of the
data-quality rules of the build (`raw.dq_runs`, `raw.dq_rule_results`), as Parquet (zstd) plus a
`version.json`. The served DuckDB file carries its version id in `meta.publish_version`, so a bulletin
knows exactly which version it read. Retention: the newest `XMDW_VERSIONS_KEEP` (default 24) versions
are kept, plus every version an issued report still names (`issued.json`).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

import duckdb

from xmdw.warehouse.connect import connect

try:  # POSIX only, like the publish lock
    import fcntl
except ImportError:  # pragma: no cover
    fcntl = None  # type: ignore[assignment]

VERSIONS_DIRNAME = "versions"
KEEP_ENV = "XMDW_VERSIONS_KEEP"
DEFAULT_KEEP = 24
VERSION_FORMAT = 1
META_TABLE = "meta.publish_version"
CST = ZoneInfo("Asia/Shanghai")
_ID = re.compile(r"^v(\d{4,})$")
# Snapshot name -> table of the served copy (absent tables are skipped: a warehouse without lineage).
SERVED_SNAPSHOTS = {"figure_values": "marts.figure_values", "figure_sources": "marts.figure_sources"}
INPUT_FILES_SQL = """
    SELECT file_id, file_name, sha256, entity, submitting_unit, region_code, period_year, period_month,
           rows_loaded, rows_rejected, rows_revised, ingested_at
    FROM wh.raw.ingest_log WHERE status = 'accepted' ORDER BY ingested_at, file_name
"""
RULES_SQL = """
    SELECT rule_id, table_name, severity, success, unexpected_count, blocking, checked_at
    FROM wh.raw.dq_rule_results
    WHERE run_id = (SELECT run_id FROM wh.raw.dq_runs ORDER BY finished_at DESC LIMIT 1)
    ORDER BY success, severity, rule_id
"""


@dataclass(frozen=True)
class Version:
    version_id: str
    path: Path
    published_at: str  # ISO 8601 UTC

    @property
    def published_at_cst(self) -> str:
        """Publication time in China Standard Time, as people read it: 2024-12-06 09:00."""
        return to_cst(self.published_at)

    def info(self) -> dict:
        return json.loads((self.path / "version.json").read_text(encoding="utf-8"))

    def parquet(self, name: str) -> Path:
        return self.path / f"{name}.parquet"


def to_cst(iso_utc: str) -> str:
    return dt.datetime.fromisoformat(iso_utc).astimezone(CST).strftime("%Y-%m-%d %H:%M")


def versions_root(serving_dir: Path) -> Path:
    return Path(serving_dir) / VERSIONS_DIRNAME


def keep_setting() -> int:
    """How many versions retention keeps (env XMDW_VERSIONS_KEEP, default 24, at least 1)."""
    raw = os.environ.get(KEEP_ENV, "")
    try:
        return max(1, int(raw)) if raw.strip() else DEFAULT_KEEP
    except ValueError:
        return DEFAULT_KEEP


def list_versions(serving_dir: Path) -> list[Version]:
    """Finished versions, oldest first (a directory without version.json is an unfinished write)."""
    root = versions_root(serving_dir)
    found = []
    for d in root.iterdir() if root.exists() else []:
        if _ID.match(d.name) and (d / "version.json").exists():
            info = json.loads((d / "version.json").read_text(encoding="utf-8"))
            found.append(Version(d.name, d, info["published_at"]))
    return sorted(found, key=lambda v: int(v.version_id[1:]))


def get_version(serving_dir: Path, version_id: str) -> Version:
    wanted = version_id if version_id.startswith("v") else f"v{int(version_id):04d}"
    for v in list_versions(serving_dir):
        if v.version_id == wanted:
            return v
    have = "、".join(v.version_id for v in list_versions(serving_dir)) or "无"
    raise LookupError(f"没有数据版本 {version_id}（现有：{have}）— no version {version_id}")


def _next_id(root: Path) -> str:
    numbers = [int(m.group(1)) for d in root.iterdir() if (m := _ID.match(d.name.lstrip(".").split(".")[0]))]
    return f"v{max(numbers, default=0) + 1:04d}"


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _copy_out(con: duckdb.DuckDBPyConnection, sql: str, target: Path) -> int:
    con.execute(f"COPY ({sql}) TO {_lit(str(target))} (FORMAT parquet, COMPRESSION zstd)")
    return int(con.execute(f"SELECT count(*) FROM read_parquet({_lit(str(target))})").fetchall()[0][0])


def _has_table(con: duckdb.DuckDBPyConnection, catalog: str, qualified: str) -> bool:
    schema, name = qualified.split(".")
    return bool(
        con.execute(
            "SELECT count(*) FROM duckdb_tables() WHERE database_name = ? AND schema_name = ? AND table_name = ?",
            [catalog, schema, name],
        ).fetchall()[0][0]
    )


def _inputs_summary(con: duckdb.DuckDBPyConnection, files: Path) -> dict:
    rows = con.execute(
        f"SELECT sha256, file_name FROM read_parquet({_lit(str(files))}) ORDER BY sha256"
    ).fetchall()
    digest = hashlib.sha256("\n".join(sha for sha, _ in rows).encode()).hexdigest()
    return {"files": len(rows), "fingerprint_sha256": digest}


def _rules_summary(con: duckdb.DuckDBPyConnection, rules: Path) -> dict:
    total, failed, fatal, warn = con.execute(
        f"""SELECT count(*), count(*) FILTER (WHERE NOT success),
                   count(*) FILTER (WHERE NOT success AND severity = 'fatal'),
                   count(*) FILTER (WHERE NOT success AND severity = 'warning')
            FROM read_parquet({_lit(str(rules))})"""
    ).fetchall()[0]
    failing = con.execute(
        f"SELECT rule_id, severity, unexpected_count FROM read_parquet({_lit(str(rules))}) "
        "WHERE NOT success ORDER BY severity, rule_id"
    ).fetchall()
    return {
        "rules_run": total,
        "rules_failed": failed,
        "fatal_failed": fatal,
        "warning_failed": warn,
        "failed": [{"rule_id": r, "severity": s, "unexpected_count": n} for r, s, n in failing],
    }


def _write_raw_snapshots(con: duckdb.DuckDBPyConnection, warehouse: Path, tmp: Path) -> tuple[dict, dict]:
    """Input files and rule results from the build file (attached read-only, detached right after)."""
    inputs: dict = {"files": 0, "fingerprint_sha256": None}
    rules: dict = {"rules_run": 0, "rules_failed": 0, "fatal_failed": 0, "warning_failed": 0, "failed": []}
    con.execute(f"ATTACH {_lit(str(warehouse))} AS wh (READ_ONLY)")
    try:
        if _has_table(con, "wh", "raw.ingest_log"):
            _copy_out(con, INPUT_FILES_SQL, tmp / "input_files.parquet")
            inputs = _inputs_summary(con, tmp / "input_files.parquet")
        if _has_table(con, "wh", "raw.dq_rule_results") and _has_table(con, "wh", "raw.dq_runs"):
            _copy_out(con, RULES_SQL, tmp / "rule_results.parquet")
            rules = _rules_summary(con, tmp / "rule_results.parquet")
    finally:
        con.execute("DETACH wh")
    return inputs, rules


def _stamp(con: duckdb.DuckDBPyConnection, version_id: str, published_at: str, run_id: str | None) -> None:
    """Write the version id into the served copy (not yet visible to readers)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS served.meta")
    con.execute(
        "CREATE OR REPLACE TABLE served.meta.publish_version "
        "(version_id VARCHAR, published_at TIMESTAMPTZ, run_id VARCHAR)"
    )
    con.execute(
        "INSERT INTO served.meta.publish_version VALUES (?, ?, ?)", [version_id, published_at, run_id]
    )
    con.execute(
        "COMMENT ON TABLE served.meta.publish_version IS "
        "'数据版本 — the version id of this published copy (data/serving/versions/<id>/, xmdw diff)'"
    )


def record_version(
    serving_dir: Path, served_tmp: Path, warehouse: Path, published_at: str, run_id: str | None
) -> Version:
    """Snapshot a publish as the next version and stamp its id into the (not yet served) copy.

    Called under the publish lock, after the copy and before the switch: a version directory exists
    before any reader can see its id. If the publish fails later, `discard_version` removes it.
    """
    root = versions_root(serving_dir)
    root.mkdir(parents=True, exist_ok=True)
    version_id = _next_id(root)
    tmp = root / f".{version_id}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    con = connect()
    try:
        con.execute("SET enable_progress_bar = false")
        con.execute(f"ATTACH {_lit(str(served_tmp))} AS served")
        counts = {
            name: _copy_out(con, f"SELECT * FROM served.{table}", tmp / f"{name}.parquet")
            for name, table in SERVED_SNAPSHOTS.items()
            if _has_table(con, "served", table)
        }
        _stamp(con, version_id, published_at, run_id)
        con.execute("DETACH served")
        inputs, rules = _write_raw_snapshots(con, warehouse, tmp)
    except BaseException:
        con.close()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    con.close()
    previous = list_versions(serving_dir)
    info = {
        "format": VERSION_FORMAT,
        "version_id": version_id,
        "published_at": published_at,
        "published_at_cst": to_cst(published_at),
        "run_id": run_id,
        "previous_version": previous[-1].version_id if previous else None,
        "inputs": inputs,
        "rules": rules,
        "rows": counts,
        "bytes": sum(p.stat().st_size for p in tmp.iterdir()),
    }
    (tmp / "version.json").write_text(json.dumps(info, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    final = root / version_id
    os.replace(tmp, final)
    return Version(version_id, final, published_at)


def discard_version(version: Version | None) -> None:
    """A publish failed after its version was recorded: that version was never served."""
    if version is not None:
        shutil.rmtree(version.path, ignore_errors=True)


def served_version(con: duckdb.DuckDBPyConnection) -> dict | None:
    """{'version_id', 'published_at'} of the connected served copy; None for a build warehouse."""
    try:
        row = con.execute(f"SELECT version_id, published_at, run_id FROM {META_TABLE} LIMIT 1").fetchall()
    except duckdb.CatalogException:
        return None
    if not row:
        return None
    version_id, published_at, run_id = row[0]
    when = published_at.astimezone(dt.UTC).isoformat(timespec="seconds") if published_at else None
    return {"version_id": version_id, "published_at": when, "run_id": run_id}


# --- issued reports pin their version ----------------------------------------------------------------


@contextlib.contextmanager
def _locked(root: Path) -> Iterator[None]:
    root.mkdir(parents=True, exist_ok=True)
    with (root / ".issued.lock").open("a") as fh:
        if fcntl is not None:
            fcntl.flock(fh, fcntl.LOCK_EX)
        yield


def issued(serving_dir: Path) -> dict[str, dict]:
    """Report stem (月通报_2024-03) -> {'version_id', 'written_at'} of the copy it was written from."""
    path = versions_root(serving_dir) / "issued.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def record_issued(serving_dir: Path, stem: str, version_id: str, files: list[str]) -> None:
    """Remember which version a report read; retention keeps that version while the report stands."""
    root = versions_root(serving_dir)
    with _locked(root):
        data = issued(serving_dir)
        data[stem] = {
            "version_id": version_id,
            "written_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "files": files,
        }
        tmp = root / ".issued.json.tmp"
        tmp.write_text(
            json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8"
        )
        os.replace(tmp, root / "issued.json")


def prune_versions(serving_dir: Path, keep: int | None = None) -> list[str]:
    """Delete versions beyond the newest `keep`, except those an issued report names. Returns the ids removed."""
    keep = keep_setting() if keep is None else max(1, keep)
    versions = list_versions(serving_dir)
    pinned = {entry["version_id"] for entry in issued(serving_dir).values()}
    newest = {v.version_id for v in versions[-keep:]}
    removed = []
    for v in versions:
        if v.version_id not in newest and v.version_id not in pinned:
            shutil.rmtree(v.path, ignore_errors=True)
            removed.append(v.version_id)
    # leftovers of a publish that crashed while writing its version
    root = versions_root(serving_dir)
    for tmp in root.glob(".v*.tmp"):
        shutil.rmtree(tmp, ignore_errors=True)
    return removed
