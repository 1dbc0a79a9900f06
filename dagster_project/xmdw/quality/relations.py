"""The relations rule SQL reads, and the one place that decides which rows they show.

`prepare()` creates, per connection:

- `latest_<entity>`: the latest revision of every natural key of `raw.<entity>` (a temp table);
- `cur_<entity>`: a view of `latest_<entity>` without the rows in `dq_held` — the rows fatal rules of
  this run hold back. `dq_held` is empty while row-level rules run, so they see every current row; the
  runner fills it before the table-level rules run, so those read exactly what staging will read
  (latest revision minus held-back rows, the `latest_revision` dbt macro). A row held back by F3 (a
  January report) therefore can never make F8 or another table rule fail for anyone (issue 10);
- `dq_seen` (entity, file_id): files whose rows the incremental row rules need not see again — checked
  under the current rule set by an earlier run (`quality/incremental.py`); empty = validate every row;
- `dq_found`: what every rule of the run found (quality/findings.py) — the only copy of the complete
  findings until they are recorded;
- `seed_<name>` (the reference CSVs read once, so rules work before dbt has built `ref.*`) and the catalog's
  views (expectations/views/).

Temp relations on either engine (quality/dialect.py): on PostgreSQL they live in the session's `pg_temp`,
so every call of a run must use the same connection (the runner does).

`rule_sql()` fills a rule's placeholders: `{table}`, `{key_match}` and `{rows}` — the rows a row rule
checks: `cur_<entity>`, or for an incremental rule only those of files not checked yet (`dq_seen`).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from pathlib import Path

from xmdw.contract import load_contract
from xmdw.core.paths import SEEDS_DIR
from xmdw.quality.catalog import ROWS_PLACEHOLDER, Rule, catalog_views, entity_tables
from xmdw.quality.dialect import Connection, create_temp, create_temp_columns, in_list, is_postgres
from xmdw.warehouse.store import RAW

HELD = "dq_held"
SEEN = "dq_seen"
FOUND = "dq_found"
NATIVE_ROWS = "dq_native_rows"  # the numbered rows native expectations read (sql_rules.native_chunks)
# outcomes.Finding's fields, in order, after the rule they belong to
FINDING_FIELDS = ["submitting_unit", "file_id", "file_name", "sheet", "source_row", "column_name",
                  "record_key", "observed", "submitted_at", "note"]  # fmt: skip
FOUND_COLUMNS = [
    ("entity", "VARCHAR"), ("rule_id", "VARCHAR"), ("kind", "VARCHAR"),
    *((n, {"source_row": "INTEGER", "submitted_at": "TIMESTAMP"}.get(n, "VARCHAR")) for n in FINDING_FIELDS),
]  # fmt: skip


def _raw_columns(con: Connection, table: str) -> list[str]:
    """The columns of `raw.<table>` as stored (the contract's, plus any an older contract added)."""
    return [
        r[0]
        for r in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? "
            "ORDER BY ordinal_position",
            [RAW, table],
        ).fetchall()
    ]


def _latest_sql(con: Connection, table: str) -> str:
    # the stored columns by name, not `* EXCLUDE (_rk)` (DuckDB only)
    cols = ", ".join(f'"{c}"' for c in _raw_columns(con, table))
    key = ", ".join(f'"{k}"' for k in load_contract().entity(table).natural_key)
    return (
        f"SELECT {cols} FROM (SELECT *, row_number() OVER (PARTITION BY {key} "
        f"ORDER BY _revision DESC) AS _rk FROM {RAW}.{table}) AS r WHERE _rk = 1"
    )


def prepare(con: Connection) -> None:
    """Create the temp relations every rule's SQL may use (idempotent, per connection)."""
    create_temp_columns(
        con,
        HELD,
        [("entity", "VARCHAR"), ("_file_id", "VARCHAR"), ("_sheet", "VARCHAR"), ("_source_row", "INTEGER")],
    )
    create_temp_columns(con, SEEN, [("entity", "VARCHAR"), ("file_id", "VARCHAR")])
    create_temp_columns(con, FOUND, FOUND_COLUMNS)
    for table in entity_tables():
        create_temp(con, "TABLE", f"latest_{table}", _latest_sql(con, table))
        create_temp(
            con,
            "VIEW",
            f"cur_{table}",
            f"SELECT * FROM latest_{table} AS l "
            f"WHERE NOT EXISTS (SELECT 1 FROM {HELD} AS h WHERE h.entity = '{table}' "
            "AND h._file_id = l._file_id AND h._sheet IS NOT DISTINCT FROM l._sheet "
            "AND h._source_row = l._source_row)",
        )
    for path in sorted(SEEDS_DIR.glob("*.csv")):
        # read once per run (a table, not a view): every rule of a run sees the same reference data
        _load_seed(con, path)
    for name, sql in catalog_views().items():
        create_temp(con, "VIEW", name, sql)


def _load_seed(con: Connection, path: Path) -> None:
    """`seed_<name>`: the CSV with every column as text, empty cells as NULL (as DuckDB's read_csv)."""
    if not is_postgres(con):
        create_temp(
            con,
            "TABLE",
            f"seed_{path.stem}",
            f"SELECT * FROM read_csv('{path.as_posix()}', all_varchar = true, header = true)",
        )
        return
    with path.open(encoding="utf-8", newline="") as f:
        reader = csv.reader(f)
        header = next(reader)
        rows = [[v if v != "" else None for v in row] for row in reader]
    create_temp_columns(con, f"seed_{path.stem}", [(f'"{c}"', "VARCHAR") for c in header])
    con.copy_rows(f"pg_temp.seed_{path.stem}", header, rows)
    con.execute(f"ANALYZE pg_temp.seed_{path.stem}")


def hold_recorded(con: Connection, entities: Iterable[str]) -> None:
    """Hide the rows `raw.dq_excluded_rows` holds back for entities not validated in this run."""
    entities = list(entities)
    con.execute(
        f"INSERT INTO {HELD} SELECT entity, _file_id, _sheet, _source_row FROM {RAW}.dq_excluded_rows "
        f"WHERE entity IN {in_list(entities)}",
        entities,
    )


def unseen_rows(table: str) -> str:
    """Predicate on `t`: the row's file was not checked under the current rule set (see `dq_seen`)."""
    return f"NOT EXISTS (SELECT 1 FROM {SEEN} AS s WHERE s.entity = '{table}' AND s.file_id = t._file_id)"


def current_rows(con: Connection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {base_relation(table)}").fetchall()[0][0]


def release(con: Connection) -> None:
    con.execute(f"DELETE FROM {HELD}")


def _key_match(table: str) -> str:
    return " AND ".join(
        f'c."{k}" IS NOT DISTINCT FROM o."{k}"' for k in load_contract().entity(table).natural_key
    )


def rule_sql(rule: Rule, table: str, new_rows_only: bool = False) -> str:
    """A rule's SQL for one table, placeholders filled (plain replace: SQL regexes use braces)."""
    text = (rule.sql or "").strip().rstrip(";")
    rows = f"cur_{table}"
    if new_rows_only:
        rows = f"(SELECT * FROM cur_{table} AS t WHERE {unseen_rows(table)})"
    text = text.replace(ROWS_PLACEHOLDER, rows).replace("{table}", table)
    if "{key_match}" in text:
        text = text.replace("{key_match}", _key_match(table))
    return text


def base_relation(table: str) -> str:
    return f"cur_{table}"


def key_expr(table: str) -> str:
    """SQL on `t`: the natural key of a row as text ('P1 / 2024 / 3')."""
    cols = load_contract().entity(table).natural_key
    return " || ' / ' || ".join(f"coalesce(CAST(t.\"{c}\" AS VARCHAR), '')" for c in cols or [])
