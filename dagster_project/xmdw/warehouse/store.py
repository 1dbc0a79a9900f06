"""The raw schema in DuckDB: one append-only table per contract entity, plus the ingestion log,
rejected rows, value findings, skipped rows and sheets, and the change log of resubmissions.

Rows are never updated or deleted. A resubmission of a natural key gets the next `_revision`;
later layers read the latest revision, and `raw.revision_changes` lists what changed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

import duckdb
import pandas as pd

from xmdw.contract import LINEAGE_COLUMNS, Contract, Entity
from xmdw.warehouse.log_schema import LOG_TABLES as LOG_TABLES  # callers import it from here

RAW = "raw"


def _entity_columns(entity: Entity) -> list[tuple[str, str]]:
    return [(c.name, c.sql_type) for c in entity.columns] + [(n, t) for n, t, _ in LINEAGE_COLUMNS]


def ensure_schema(con: duckdb.DuckDBPyConnection, contract: Contract) -> None:
    """Create the raw schema; add columns the contract gained since the tables were created."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW}")
    tables = {e.table: _entity_columns(e) for e in contract.entities.values()} | LOG_TABLES
    for table, cols in tables.items():
        ddl = ", ".join(f'"{n}" {t}' for n, t in cols)
        con.execute(f"CREATE TABLE IF NOT EXISTS {RAW}.{table} ({ddl})")
        existing = {
            r[0]
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ?",
                [RAW, table],
            ).fetchall()
        }
        for n, t in cols:
            if n not in existing:
                con.execute(f'ALTER TABLE {RAW}.{table} ADD COLUMN "{n}" {t}')


def sha_already_loaded(con: duckdb.DuckDBPyConnection, sha256: str) -> bool:
    rows = con.execute(
        f"SELECT count(*) FROM {RAW}.ingest_log WHERE sha256 = ? AND status = 'accepted'", [sha256]
    ).fetchall()
    return rows[0][0] > 0


def _key_join(entity: Entity, left: str, right: str) -> str:
    return " AND ".join(f'{left}."{k}" IS NOT DISTINCT FROM {right}."{k}"' for k in entity.natural_key)


def insert_rows(
    con: duckdb.DuckDBPyConnection,
    entity: Entity,
    rows: list[dict],
    lineage: dict,
) -> int:
    """Append parsed rows (canonical strings) with lineage and revision numbers.

    Returns the number of rows that revise an earlier submission of the same natural key.
    """
    if not rows:
        return 0
    names = [c.name for c in entity.columns] + [
        "_extra",
        "_sheet",
        "_source_row",
        "_money_units",
        "_submitting_unit",
    ]
    frame = pd.DataFrame([{n: r.get(n) for n in names} for r in rows], columns=names, dtype="str")
    con.register("_incoming_frame", frame)
    casts = ", ".join(f'CAST("{c.name}" AS {c.sql_type}) AS "{c.name}"' for c in entity.columns)
    con.execute("DROP TABLE IF EXISTS _incoming")
    con.execute(
        f"""
        CREATE TEMP TABLE _incoming AS
        SELECT {casts},
               _extra, _sheet, CAST(_source_row AS INTEGER) AS _source_row, _money_units, _submitting_unit
        FROM _incoming_frame
        """
    )
    con.unregister("_incoming_frame")
    table = f"{RAW}.{entity.table}"
    t_keys = ", ".join(f't."{k}"' for k in entity.natural_key)
    # The latest revision of the incoming keys only: the semi join lets DuckDB skip the rest of the
    # table, where aggregating every key made each file cost O(table) (1.3 s per file at 5 M rows,
    # minutes to hours over a nation-scale batch; docs/benchmarks.md).
    con.execute(
        f"""
        INSERT INTO {table} BY NAME
        SELECT i.*,
               ? AS _file_id, ? AS _source_file, ? AS _file_sha256, ? AS _ingested_at,
               COALESCE(p.max_rev, 0) + 1 AS _revision
        FROM _incoming i
        LEFT JOIN (
            SELECT {t_keys}, max(t._revision) AS max_rev
            FROM {table} t SEMI JOIN _incoming k ON {_key_join(entity, "t", "k")}
            GROUP BY ALL
        ) p
          ON {_key_join(entity, "i", "p")}
        """,
        [lineage["file_id"], lineage["file_name"], lineage["sha256"], lineage["ingested_at"]],
    )
    revised = _record_changes(con, entity, lineage)
    con.execute("DROP TABLE _incoming")
    return revised


def _record_changes(con: duckdb.DuckDBPyConnection, entity: Entity, lineage: dict) -> int:
    """Write one revision_changes row per changed figure of every revised natural key."""
    table = f"{RAW}.{entity.table}"
    key_json = "json_object(" + ", ".join(f"'{k}', n.\"{k}\"" for k in entity.natural_key) + ")"
    selects = [
        f"""SELECT '{entity.name}', {key_json}, '{c.name}',
                   CAST(o."{c.name}" AS VARCHAR), CAST(n."{c.name}" AS VARCHAR),
                   o._revision, n._revision, o._file_id, o._source_file, n._file_id, n._source_file,
                   n._ingested_at
            FROM pairs_n n JOIN pairs_o o USING (_pair)
            WHERE o."{c.name}" IS DISTINCT FROM n."{c.name}" """
        for c in entity.columns
        if c.name not in entity.natural_key
    ]
    con.execute(
        f"""
        CREATE OR REPLACE TEMP TABLE pairs_n AS
        SELECT row_number() OVER () AS _pair, n.* FROM {table} n
        WHERE n._file_id = ? AND n._revision > 1
        """,
        [lineage["file_id"]],
    )
    revised = con.execute("SELECT count(*) FROM pairs_n").fetchall()[0][0]
    if revised:
        con.execute(
            f"""
            CREATE OR REPLACE TEMP TABLE pairs_o AS
            SELECT n._pair, o.* FROM pairs_n n JOIN {table} o
              ON {_key_join(entity, "n", "o")} AND o._revision = n._revision - 1
            """
        )
        con.execute(f"INSERT INTO {RAW}.revision_changes " + " UNION ALL ".join(selects))
        con.execute("DROP TABLE pairs_o")
    con.execute("DROP TABLE pairs_n")
    return revised


# Up to this many records go in as one parameterised INSERT: every file writes one log row and a
# skipped row or two, and a pandas frame per call was ~1/4 of the ingestion time at province scale.
FEW_RECORDS = 64


def _bound(value: object, sql_type: str) -> object:
    if value is None or (isinstance(value, float) and value != value):  # NaN: null, as pandas' notna()
        return None
    return str(value) if sql_type == "VARCHAR" else value


def _insert_few(con: duckdb.DuckDBPyConnection, table: str, records: list[dict]) -> None:
    """The same rows as the frame path: text columns get str(value), other values are bound as they are."""
    spec = LOG_TABLES[table]
    values = [_bound(r.get(c), t) for r in records for c, t in spec]
    row = "(" + ", ".join("?" * len(spec)) + ")"
    names = ", ".join(f'"{c}"' for c, _ in spec)
    con.execute(f"INSERT INTO {RAW}.{table} ({names}) VALUES " + ", ".join([row] * len(records)), values)


def insert_records(con: duckdb.DuckDBPyConnection, table: str, records: list[dict]) -> None:
    """Append plain records to a log table (column order from LOG_TABLES)."""
    if not records:
        return
    if len(records) <= FEW_RECORDS:
        _insert_few(con, table, records)
        return
    cols = [n for n, _ in LOG_TABLES[table]]
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in records], columns=cols)
    for c in cols:
        if frame[c].dtype == object:
            frame[c] = frame[c].astype("str").where(frame[c].notna(), None)
    con.register("_records_frame", frame)
    con.execute(f"INSERT INTO {RAW}.{table} BY NAME SELECT * FROM _records_frame")
    con.unregister("_records_frame")


_OPEN_TRANSACTIONS: set[int] = set()


@contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[None]:
    """One transaction; nested uses join the outer one (a workbook's ledgers load all or nothing)."""
    if id(con) in _OPEN_TRANSACTIONS:
        yield
        return
    con.execute("BEGIN TRANSACTION")
    _OPEN_TRANSACTIONS.add(id(con))
    try:
        yield
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _OPEN_TRANSACTIONS.discard(id(con))


def problem_records(problems: list, log: dict, entity: str, unit: str | None) -> list[dict]:
    """rejected_rows / value_findings records of parser Problems (with the file's lineage)."""
    return [
        {
            "log_id": log["log_id"],
            "file_id": log["file_id"],
            "file_name": log["file_name"],
            "entity": entity,
            "submitting_unit": unit,
            "sheet": p.sheet,
            "source_row": p.row,
            "column_header": p.column,
            "column_name": getattr(p, "column_name", None),
            "rule": p.rule,
            "value": p.value,
            "message_zh": p.message_zh,
            "message_en": p.message_en,
            "ingested_at": log["ingested_at"],
            "natural_key_json": getattr(p, "key", None),
        }
        for p in problems
    ]


def skipped_sheet_records(skipped: list, log: dict, unit: str | None) -> list[dict]:
    """skipped_sheets records of a workbook's parser.SkippedSheet list."""
    return [
        {
            "file_id": log["file_id"],
            "file_name": log["file_name"],
            "submitting_unit": unit,
            "sheet": s.sheet,
            "rows_in_sheet": s.rows,
            "rule": s.rule,
            "reason_zh": s.reason_zh,
            "reason_en": s.reason_en,
            "ingested_at": log["ingested_at"],
        }
        for s in skipped
    ]


def as_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


def now() -> datetime:
    return datetime.now().replace(microsecond=0)
