"""The raw schema of the warehouse (DuckDB or PostgreSQL): one append-only table per contract entity, plus
the ingestion log, rejected rows, value findings, skipped rows and sheets, and the change log of
resubmissions.

Rows are never updated or deleted. A resubmission of a natural key gets the next `_revision`;
later layers read the latest revision, and `raw.revision_changes` lists what changed.

The SQL is written once for both engines (docs/decisions.md, decision 92). Only the way a batch of rows
reaches the server differs: DuckDB scans a registered pandas frame, PostgreSQL receives it by COPY FROM
STDIN (`PgConnection.copy_rows`) — neither sends a row at a time.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from typing import Any, Protocol

import duckdb
import pandas as pd

from xmdw.contract import LINEAGE_COLUMNS, Contract, Entity
from xmdw.warehouse.log_schema import LOG_TABLES as LOG_TABLES  # callers import it from here
from xmdw.warehouse.postgres import DIALECT_POSTGRES, dialect_of

RAW = "raw"


class Connection(Protocol):
    """The build warehouse's connection on either engine: DuckDB's own, or `PgConnection`, which speaks
    the same subset (`xmdw.warehouse.engine.open_warehouse` gives one or the other)."""

    def execute(self, sql: str, parameters: Any = None, /) -> Any: ...

    def fetchall(self) -> list[tuple]: ...

    def close(self) -> None: ...


def is_postgres(con: Connection) -> bool:
    return dialect_of(con) == DIALECT_POSTGRES


def db_errors(con: Connection) -> tuple[type[Exception], ...]:
    """The errors the engine's driver raises (psycopg2 is loaded only when the server is the engine)."""
    if is_postgres(con):
        import psycopg2

        return (psycopg2.Error,)
    return (duckdb.Error,)


def portable_type(sql_type: str) -> str:
    """A contract / log column type both engines accept: DuckDB's `DOUBLE` is `DOUBLE PRECISION` on
    PostgreSQL (an alias of the same type in DuckDB); the other names are common to both."""
    return "DOUBLE PRECISION" if sql_type.upper() == "DOUBLE" else sql_type


def _entity_columns(entity: Entity) -> list[tuple[str, str]]:
    return [(c.name, c.sql_type) for c in entity.columns] + [(n, t) for n, t, _ in LINEAGE_COLUMNS]


def _server_indexes(con: Connection, contract: Contract) -> None:
    """PostgreSQL only: B-tree indexes for the two lookups each loaded file makes (earlier revisions of
    its natural keys, its own rows by `_file_id`). DuckDB needs none: rows of a file are appended
    together and its zone maps skip the rest of the table."""
    for e in contract.entities.values():
        keys = ", ".join(f'"{k}"' for k in e.natural_key)
        con.execute(
            f'CREATE INDEX IF NOT EXISTS "{e.table}_natural_key" ON {RAW}.{e.table} ({keys}, _revision)'
        )
        con.execute(f'CREATE INDEX IF NOT EXISTS "{e.table}_file_id" ON {RAW}.{e.table} (_file_id)')
    con.execute(f"CREATE INDEX IF NOT EXISTS ingest_log_sha256 ON {RAW}.ingest_log (sha256)")


def ensure_schema(con: Connection, contract: Contract) -> None:
    """Create the raw schema; add columns the contract gained since the tables were created."""
    con.execute(f"CREATE SCHEMA IF NOT EXISTS {RAW}")
    tables = {e.table: _entity_columns(e) for e in contract.entities.values()} | LOG_TABLES
    for table, cols in tables.items():
        ddl = ", ".join(f'"{n}" {portable_type(t)}' for n, t in cols)
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
                con.execute(f'ALTER TABLE {RAW}.{table} ADD COLUMN "{n}" {portable_type(t)}')
    if is_postgres(con):
        _server_indexes(con, contract)


def sha_already_loaded(con: Connection, sha256: str) -> bool:
    rows = con.execute(
        f"SELECT count(*) FROM {RAW}.ingest_log WHERE sha256 = ? AND status = 'accepted'", [sha256]
    ).fetchall()
    return rows[0][0] > 0


def key_join(entity: Entity, left: str, right: str) -> str:
    """Natural keys equal. A required key column is never NULL in a loaded row (the row is rejected), so
    `=` says the same as IS NOT DISTINCT FROM there and lets PostgreSQL hash or index the join; optional
    key columns (funds.batch) match NULL to NULL."""
    return " AND ".join(
        f'{left}."{k}" = {right}."{k}"'
        if entity.column(k).required
        else f'{left}."{k}" IS NOT DISTINCT FROM {right}."{k}"'
        for k in entity.natural_key
    )


# Lineage a parsed row carries itself; the file's lineage and the revision are added by the INSERT.
ROW_LINEAGE = ["_extra", "_sheet", "_source_row", "_money_units", "_submitting_unit"]


def _frame_to_engine(con: Connection, name: str, columns: list[str], rows: Sequence[Sequence[Any]]) -> None:
    """Make `rows` (text or NULL) queryable as relation `name`: DuckDB scans a registered frame in place,
    PostgreSQL gets a temp table filled by COPY (NUL bytes dropped: a server text cannot hold one)."""
    if not is_postgres(con):
        con.register(name, pd.DataFrame(rows, columns=columns, dtype="str"))  # type: ignore[attr-defined]
        return
    con.execute(f"CREATE TEMP TABLE {name} (" + ", ".join(f'"{c}" VARCHAR' for c in columns) + ")")
    text = [[None if v is None else str(v).replace("\x00", "") for v in row] for row in rows]
    con.copy_rows(name, columns, text)  # type: ignore[attr-defined]


def _drop_frame(con: Connection, name: str) -> None:
    if is_postgres(con):
        con.execute(f"DROP TABLE {name}")
    else:
        con.unregister(name)  # type: ignore[attr-defined]


def _stage_incoming(con: Connection, entity: Entity, rows: list[dict], names: list[str]) -> None:
    """The parsed rows as temp table `_incoming`, each value CAST from its canonical text to its type."""
    _frame_to_engine(con, "_incoming_frame", names, [[r.get(n) for n in names] for r in rows])
    casts = ", ".join(
        f'CAST("{c.name}" AS {portable_type(c.sql_type)}) AS "{c.name}"' for c in entity.columns
    )
    con.execute(
        f"""
        CREATE TEMP TABLE _incoming AS
        SELECT {casts},
               _extra, _sheet, CAST(_source_row AS INTEGER) AS _source_row, _money_units, _submitting_unit
        FROM _incoming_frame
        """
    )
    _drop_frame(con, "_incoming_frame")


def insert_rows(con: Connection, entity: Entity, rows: list[dict], lineage: dict) -> int:
    """Append parsed rows (canonical strings) with lineage and revision numbers, in one transaction (or
    the caller's): on any error the temp tables go with the rollback, so none is left for the next file.

    Returns the number of rows that revise an earlier submission of the same natural key.
    """
    if not rows:
        return 0
    names = [c.name for c in entity.columns] + ROW_LINEAGE
    table = f"{RAW}.{entity.table}"
    k_keys = ", ".join(f'k."{k}"' for k in entity.natural_key)
    targets = ", ".join(
        f'"{n}"' for n in [*names, "_file_id", "_source_file", "_file_sha256", "_ingested_at"]
    )
    with transaction(con):
        _stage_incoming(con, entity, rows, names)
        # The latest revision of the incoming keys only, looked up from the incoming rows: DuckDB builds
        # its hash on them and skips the rest of the table, where aggregating every key made each file cost
        # O(table) (1.3 s per file at 5 M rows; docs/benchmarks.md); PostgreSQL probes its natural-key
        # index (4 ms per 100-row file at 2 M rows, where a semi join (EXISTS) scanned the table: 600 ms).
        con.execute(
            f"""
            INSERT INTO {table} ({targets}, "_revision")
            SELECT {", ".join(f'i."{n}"' for n in names)},
                   ?, ?, ?, CAST(? AS TIMESTAMP), COALESCE(p.max_rev, 0) + 1
            FROM _incoming i
            LEFT JOIN (
                SELECT {k_keys}, max(t._revision) AS max_rev
                FROM _incoming k JOIN {table} t ON {key_join(entity, "t", "k")}
                GROUP BY {k_keys}
            ) p
              ON {key_join(entity, "i", "p")}
            """,
            [lineage["file_id"], lineage["file_name"], lineage["sha256"], lineage["ingested_at"]],
        )
        revised = sum(_record_changes(con, entity, "n._file_id = ?", [lineage["file_id"]]).values())
        con.execute("DROP TABLE _incoming")
    return revised


def _key_json(entity: Entity, alias: str) -> str:
    """The natural key as JSON text, spelled as DuckDB's json_object prints it ({"k":"v","year":2024}),
    built from to_json (both engines have it) so both write the same text."""
    parts = [
        f"""'{"," if i else "{"}"{k}":' || COALESCE(CAST(to_json({alias}."{k}") AS VARCHAR), 'null')"""
        for i, k in enumerate(entity.natural_key)
    ]
    return " || ".join(parts) + " || '}'"


def record_changes(con: Connection, entity: Entity, new_rows: str, params: list) -> dict[str, int]:
    """`_record_changes` for a loader outside this module (the bulk path, ingestion/bulk_load.py)."""
    return _record_changes(con, entity, new_rows, params)


CHANGE_COLUMNS = [n for n, _ in LOG_TABLES["revision_changes"]]


def _record_changes(con: Connection, entity: Entity, new_rows: str, params: list) -> dict[str, int]:
    """Write one revision_changes row per changed figure of every revised natural key among the rows
    `new_rows` selects (alias n), and return their count per _file_id (the key's JSON text is made once per
    revised row, in pairs_n, not once per compared column)."""
    table = f"{RAW}.{entity.table}"
    selects = [
        f"""SELECT CAST('{entity.name}' AS VARCHAR), n._pair_key, CAST('{c.name}' AS VARCHAR),
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
        CREATE TEMP TABLE pairs_n AS
        SELECT row_number() OVER () AS _pair, {_key_json(entity, "n")} AS _pair_key, n.* FROM {table} n
        WHERE {new_rows} AND n._revision > 1
        """,
        params,
    )
    revised = dict(con.execute("SELECT _file_id, count(*) FROM pairs_n GROUP BY _file_id").fetchall())
    if revised:
        con.execute(
            f"""
            CREATE TEMP TABLE pairs_o AS
            SELECT n._pair, o.* FROM pairs_n n JOIN {table} o
              ON {key_join(entity, "n", "o")} AND o._revision = n._revision - 1
            """
        )
        targets = ", ".join(f'"{c}"' for c in CHANGE_COLUMNS)
        con.execute(f"INSERT INTO {RAW}.revision_changes ({targets}) " + " UNION ALL ".join(selects))
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


def _insert_few(con: Connection, table: str, records: list[dict]) -> None:
    """The same rows as the bulk path: text columns get str(value), other values are bound as they are."""
    spec = LOG_TABLES[table]
    values = [_bound(r.get(c), t) for r in records for c, t in spec]
    row = "(" + ", ".join("?" * len(spec)) + ")"
    names = ", ".join(f'"{c}"' for c, _ in spec)
    con.execute(f"INSERT INTO {RAW}.{table} ({names}) VALUES " + ", ".join([row] * len(records)), values)


def _copy_records(con: Any, table: str, records: list[dict]) -> None:
    """PostgreSQL's bulk path: COPY FROM STDIN, each value as `_bound` gives it (NUL bytes dropped)."""
    spec = LOG_TABLES[table]
    rows = (
        [v.replace("\x00", "") if isinstance(v, str) else v for v in (_bound(r.get(c), t) for c, t in spec)]
        for r in records
    )
    con.copy_rows(f"{RAW}.{table}", [c for c, _ in spec], rows)


def insert_records(con: Connection, table: str, records: list[dict]) -> None:
    """Append plain records to a log table (column order from LOG_TABLES)."""
    if not records:
        return
    if len(records) <= FEW_RECORDS:
        _insert_few(con, table, records)
        return
    if is_postgres(con):
        _copy_records(con, table, records)
        return
    cols = [n for n, _ in LOG_TABLES[table]]
    frame = pd.DataFrame([{c: r.get(c) for c in cols} for r in records], columns=cols)
    for c in cols:
        if frame[c].dtype == object:
            frame[c] = frame[c].astype("str").where(frame[c].notna(), None)
    con.register("_records_frame", frame)  # type: ignore[attr-defined]
    con.execute(f"INSERT INTO {RAW}.{table} BY NAME SELECT * FROM _records_frame")
    con.unregister("_records_frame")  # type: ignore[attr-defined]


_OPEN_TRANSACTIONS: set[int] = set()


@contextmanager
def transaction(con: Connection) -> Iterator[None]:
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
