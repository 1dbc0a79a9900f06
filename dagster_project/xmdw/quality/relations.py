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
- `seed_<name>` (the reference CSVs read once, so rules work before dbt has built `ref.*`) and the catalog's
  views (expectations/views/).

`rule_sql()` fills a rule's placeholders: `{table}`, `{key_match}` and `{rows}` — the rows a row rule
checks: `cur_<entity>`, or for an incremental rule only those of files not checked yet (`dq_seen`).
"""

from __future__ import annotations

from collections.abc import Iterable

import duckdb

from xmdw.contract import load_contract
from xmdw.core.paths import SEEDS_DIR
from xmdw.quality.catalog import ROWS_PLACEHOLDER, Rule, catalog_views, entity_tables
from xmdw.warehouse.store import RAW

HELD = "dq_held"
SEEN = "dq_seen"


def _latest_sql(table: str) -> str:
    key = ", ".join(f'"{k}"' for k in load_contract().entity(table).natural_key)
    return (
        f"SELECT * EXCLUDE (_rk) FROM (SELECT *, row_number() OVER (PARTITION BY {key} "
        f"ORDER BY _revision DESC) AS _rk FROM {RAW}.{table}) WHERE _rk = 1"
    )


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temp relations every rule's SQL may use (idempotent, per connection)."""
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE {HELD} (entity VARCHAR, _file_id VARCHAR, _sheet VARCHAR, "
        "_source_row INTEGER)"
    )
    con.execute(f"CREATE OR REPLACE TEMP TABLE {SEEN} (entity VARCHAR, file_id VARCHAR)")
    for table in entity_tables():
        con.execute(f"CREATE OR REPLACE TEMP TABLE latest_{table} AS {_latest_sql(table)}")
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW cur_{table} AS SELECT * FROM latest_{table} AS l "
            f"WHERE NOT EXISTS (SELECT 1 FROM {HELD} AS h WHERE h.entity = '{table}' "
            "AND h._file_id = l._file_id AND h._sheet IS NOT DISTINCT FROM l._sheet "
            "AND h._source_row = l._source_row)"
        )
    for path in sorted(SEEDS_DIR.glob("*.csv")):
        # read once per run (a table, not a view): every rule of a run sees the same reference data
        con.execute(
            f"CREATE OR REPLACE TEMP TABLE seed_{path.stem} AS "
            f"SELECT * FROM read_csv('{path.as_posix()}', all_varchar = true, header = true)"
        )
    for name, sql in catalog_views().items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")


def hold(con: duckdb.DuckDBPyConnection, entity: str, rows: Iterable[tuple]) -> None:
    """Hide rows (file_id, sheet, source_row, ...) of `entity` from `cur_<entity>` until `release`."""
    rows = [(entity, r[0], r[1], r[2]) for r in rows]
    if rows:
        con.executemany(f"INSERT INTO {HELD} VALUES (?, ?, ?, ?)", rows)


def hold_recorded(con: duckdb.DuckDBPyConnection, entities: Iterable[str]) -> None:
    """Hide the rows `raw.dq_excluded_rows` holds back for entities not validated in this run."""
    con.execute(
        f"INSERT INTO {HELD} SELECT entity, _file_id, _sheet, _source_row FROM {RAW}.dq_excluded_rows "
        "WHERE entity IN (SELECT unnest(?))",
        [list(entities)],
    )


def unseen_rows(table: str) -> str:
    """Predicate on `t`: the row's file was not checked under the current rule set (see `dq_seen`)."""
    return f"NOT EXISTS (SELECT 1 FROM {SEEN} AS s WHERE s.entity = '{table}' AND s.file_id = t._file_id)"


def current_rows(con: duckdb.DuckDBPyConnection, table: str) -> int:
    return con.execute(f"SELECT count(*) FROM {base_relation(table)}").fetchall()[0][0]


def release(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(f"DELETE FROM {HELD}")


def file_rows(con: duckdb.DuckDBPyConnection, table: str, file_ids: list[str]) -> list[tuple]:
    """(file_id, sheet, source_row) of every current row of the given files (a whole file held back)."""
    if not file_ids:
        return []
    return con.execute(
        f"SELECT _file_id, _sheet, _source_row FROM latest_{table} WHERE _file_id IN (SELECT unnest(?)) "
        "ORDER BY 1, 2, 3",
        [file_ids],
    ).fetchall()


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
