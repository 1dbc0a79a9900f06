"""Row-for-row fingerprints of every published relation (issue 13: the redesign keeps every figure).

    python tests/golden/mart_digest.py build --scale county --out tests/golden/marts_county.json

builds the demo at that scale in a temporary data directory (`xmdw demo` + `xmdw run`) and writes, per table in
the `marts` and `ref` schemas, its row count and the md5 of its sorted rows. Columns are taken by name in sorted
order, so a column moved within a table does not count as a change; wall-clock columns (run id, load time) are
left out because they differ by construction.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import duckdb

TABLES_SQL = (
    "SELECT schema_name, table_name FROM duckdb_tables() WHERE schema_name IN ('marts', 'ref') ORDER BY 1, 2"
)
RUN_COLUMNS = {"run_id", "checked_at", "is_latest_run", "ingested_at", "data_version", "published_at"}


def digests(db: Path) -> dict[str, dict[str, object]]:
    """Table -> {rows, md5} over its rows with columns in name order (latest DQ run only)."""
    con = duckdb.connect(str(db), read_only=True)
    try:
        out: dict[str, dict[str, object]] = {}
        for schema, table in con.execute(TABLES_SQL).fetchall():
            name = f'"{schema}"."{table}"'
            cols = sorted(c for (c,) in con.execute(f"SELECT column_name FROM (DESCRIBE {name})").fetchall())
            where = "WHERE is_latest_run" if "is_latest_run" in cols else ""
            kept = [c for c in cols if c not in RUN_COLUMNS]
            row = "concat_ws('|', " + ", ".join(f"coalesce(\"{c}\"::VARCHAR, '∅')" for c in kept) + ")"
            n, md5 = con.execute(
                f"SELECT count(*), md5(coalesce(string_agg(r, chr(10) ORDER BY r), '')) FROM "
                f"(SELECT {row} AS r FROM {name} {where})"
            ).fetchone()
            out[f"{schema}.{table}"] = {"rows": n, "md5": md5}
        return out
    finally:
        con.close()


def build(scale: str, workdir: Path) -> Path:
    """The demo at `scale` loaded by `xmdw run` into workdir; returns the warehouse path."""
    env = {**os.environ, "XMDW_DATA_DIR": str(workdir), "DAGSTER_HOME": str(workdir / "dagster_home")}
    xmdw = [sys.executable, "-m", "xmdw.cli.main"]
    subprocess.run([*xmdw, "demo", "--scale", scale], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run([*xmdw, "run"], env=env, check=True, stdout=subprocess.DEVNULL)
    return workdir / "warehouse.duckdb"


def differences(golden: dict, now: dict) -> list[str]:
    """Relations of the golden digest that are missing or differ now (new relations are allowed)."""
    out = []
    for name, want in sorted(golden.items()):
        got = now.get(name)
        if got is None:
            out.append(f"{name}: missing")
        elif got != want:
            out.append(
                f"{name}: {want['rows']} rows {want['md5'][:8]} before, {got['rows']} rows {got['md5'][:8]} now"
            )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["build", "digest"])
    parser.add_argument("--scale", default="county")
    parser.add_argument("--db", type=Path, help="digest: an existing warehouse")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "digest":
        result = digests(args.db)
    else:
        with tempfile.TemporaryDirectory(prefix=f"xmdw-golden-{args.scale}-") as tmp:
            result = digests(build(args.scale, Path(tmp)))
    args.out.write_text(json.dumps(result, ensure_ascii=False, indent=1, sort_keys=True) + "\n")
    print(f"{len(result)} relations → {args.out}")


if __name__ == "__main__":
    main()
