"""Stage bulk candidates: DuckDB's CSV reader reads the data lines of all files of one header at once, each
distinct cell text is read once by the parser's own functions (`bulk_values`), and the rows of every file
become canonical values in temp tables, by entity.

Exactness comes from reuse, not re-implementation: a value's canonical form is what `rows.parse_cell` gives
for it, computed once per distinct text per column and joined back in SQL. A file is *clean* — loaded in
bulk — only when the per-cell parser would load every data row of it without a rejection, finding or skipped
row: no value fails, no row looks like a title, total, note, units or header row (`bulk_values.suspicious`),
no row is blank, every required value is there
(after the file's defaults), no natural key repeats, the month column agrees with the file name, and DuckDB
read as many rows as the file has lines. Any other file goes to the per-cell path whole, so its rejections
are the ones that path writes.
"""

from __future__ import annotations

import itertools
import os
import tempfile
from collections import defaultdict
from pathlib import Path

import pandas as pd

from xmdw.contract import Contract, Entity
from xmdw.ingestion.bulk_csv import Candidate
from xmdw.ingestion.bulk_values import fast_pattern, header_lookup, value_frame
from xmdw.ingestion.layout import Layout
from xmdw.ingestion.rows import factor_of
from xmdw.warehouse import store
from xmdw.warehouse.store import Connection

FILES = "_bulk_files"  # one row per candidate: lineage and context, by _file_pos


def rows_table(entity: Entity) -> str:
    return f"_bulk_rows_{entity.table}"


def _register(con: Connection, name: str, frame: pd.DataFrame) -> None:
    """A temp table from a frame (it outlives the frame; dropped with the chunk, `drop`)."""
    con.register("_bulk_frame", frame)  # type: ignore[attr-defined]
    con.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _bulk_frame")
    con.unregister("_bulk_frame")  # type: ignore[attr-defined]


def _files_frame(cands: list[Candidate]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "_file_pos": [c.pos for c in cands],
            "file_id": [c.log["file_id"] for c in cands],
            "file_name": [c.log["file_name"] for c in cands],
            "sha256": [c.sha for c in cands],
            "ingested_at": pd.Series([c.log["ingested_at"] for c in cands], dtype="datetime64[us]"),
            "sheet": [c.sheet for c in cands],
            "money_units": [store.as_json(money_units(c)) for c in cands],
            "submitting_unit": pd.Series([c.context.submitting_unit for c in cands], dtype="str"),
        }
    )


def money_units(c: Candidate) -> dict[str, str]:
    """The declared unit per money column, as the parser records it (rows.parse_sheet)."""
    return {
        m.column.name: factor_of(m.column, m.unit or c.context.table_unit)[1]
        for m in c.layout.columns
        if m.column.type in ("money", "usd")
    }


def _value_map(
    con: Connection, i: int, entry: tuple, layout: Layout, contract: Contract, fast: str | None
) -> None:
    """_bulk_map_<i>: the distinct texts of column i the engine does not CAST as written, read by the parser."""
    plain = f" AND NOT regexp_full_match(c{i}, '{fast}')" if fast else ""
    texts = [
        r[0]
        for r in con.execute(f"SELECT DISTINCT c{i} FROM _bulk_raw WHERE c{i} IS NOT NULL{plain}").fetchall()
    ]
    union, numbers_safe = header_lookup(contract)
    _register(con, f"_bulk_map_{i}", value_frame(texts, entry, layout, contract, union, numbers_safe))


def _read_group(con: Connection, cands: list[Candidate], width: int, scratch: Path) -> bool:
    """_bulk_raw: the group's data lines, read from one scratch file of the bytes already read and hashed
    (one CSV read instead of one per file; and DuckDB reads what was hashed). False if DuckDB read another
    number of rows than the files have lines (then no file of the group is clean)."""
    fd, name = tempfile.mkstemp(suffix=".csv", dir=scratch)
    try:
        with os.fdopen(fd, "wb") as f:
            for c in cands:
                f.write(c.body)
        columns = "{" + ", ".join(f"'c{i}': 'VARCHAR'" for i in range(width)) + "}"
        con.execute(
            f"""CREATE OR REPLACE TEMP TABLE _bulk_raw AS
            SELECT * FROM read_csv('{name}', columns = {columns}, header = false, delim = ',', quote = '',
                escape = '', auto_detect = false)"""
        )
    finally:
        os.unlink(name)
    n = con.execute("SELECT count(*) FROM _bulk_raw").fetchall()[0][0]
    return n == sum(c.data_rows for c in cands)


def _group_frame(cands: list[Candidate], plan: list) -> pd.DataFrame:
    """Per file of a group: its first line's position in _bulk_raw and its default per column."""
    firsts = list(itertools.accumulate((c.data_rows for c in cands[:-1]), initial=0))
    return pd.DataFrame(
        {"_file_pos": [c.pos for c in cands], "_first": firsts}
        | {
            f"def_{col.name}": pd.Series([c.defaults[col.name] for c in cands], dtype="str")
            for col, *_ in plan
        }
    )


def _stage_group(con: Connection, cands: list[Candidate], contract: Contract, scratch: Path) -> None:
    """Read one header's files and append their canonical rows to the entity's rows table."""
    layout, plan = cands[0].layout, cands[0].plan
    entity, width = layout.entity, len(layout.columns)
    read_all = _read_group(con, cands, width, scratch)
    _register(con, "_bulk_group", _group_frame(cands, plan))
    numbers_safe = header_lookup(contract)[1]
    index_of = {m.column.name: m.index for m in layout.columns}
    fast: dict[int, str | None] = {}
    for entry in plan:
        i = index_of.get(entry[0].name)
        if i is not None:
            fast[i] = fast_pattern(entry[0], entry[3], entry[4], numbers_safe)
            _value_map(con, i, entry, layout, contract, fast[i])

    def cell(i: int) -> str:
        """Column i's canonical text: as written when the engine casts it, else the parser's."""
        if fast[i] is None:
            return f"m{i}.canon"
        return f"CASE WHEN regexp_full_match(r.c{i}, '{fast[i]}') THEN r.c{i} ELSE m{i}.canon END"

    def value(col_name: str) -> str:
        i = index_of.get(col_name)
        return f'g."def_{col_name}"' if i is None else f'COALESCE({cell(i)}, g."def_{col_name}")'

    nonempty = " OR ".join(
        f"COALESCE(m{i}.ne, false)"
        + (f" OR COALESCE(regexp_full_match(r.c{i}, '{fast[i]}'), false)" if fast[i] else "")
        for i in range(width)
    )
    ok = " AND ".join(
        [f"NOT COALESCE(m{i}.bad OR m{i}.susp, false)" for i in range(width)]
        + [f"({nonempty})"]
        + [f"{value(c.name)} IS NOT NULL" for c in entity.required]
        + [str(read_all).lower()]
    )
    typed = [
        f"{cell(index_of[n])} AS _typed_{n}" if n in index_of else f"CAST(NULL AS VARCHAR) AS _typed_{n}"
        for n in ("year", "month")
    ]
    joins = " ".join(f"LEFT JOIN _bulk_map_{i} m{i} ON m{i}.raw = r.c{i}" for i in range(width))
    select = f"""
        SELECT g._file_pos, CAST(r._seq - g._first + 2 AS INTEGER) AS _row,
               {", ".join(f'{value(col.name)} AS "{col.name}"' for col, *_ in plan)}, {", ".join(typed)}, {ok} AS _ok
        FROM (SELECT rowid AS _seq, * FROM _bulk_raw) r
        ASOF JOIN _bulk_group g ON r._seq >= g._first
        {joins}"""
    table = rows_table(entity)
    exists = con.execute(
        "SELECT count(*) FROM duckdb_tables() WHERE temporary AND table_name = ?", [table]
    ).fetchall()[0][0]
    con.execute(f"INSERT INTO {table} {select}" if exists else f"CREATE TEMP TABLE {table} AS {select}")
    for i in range(width):
        con.execute(f"DROP TABLE IF EXISTS _bulk_map_{i}")
    con.execute("DROP TABLE _bulk_raw")
    con.execute("DROP TABLE _bulk_group")


def _clean_files(con: Connection, entity: Entity, cands: dict[int, Candidate]) -> set[int]:
    """Positions of the entity's files the cell path would load whole, without a problem."""
    table = rows_table(entity)
    counts = con.execute(f"SELECT _file_pos, count(*), bool_and(_ok) FROM {table} GROUP BY 1").fetchall()
    clean = {pos for pos, n, ok in counts if ok and n == cands[pos].data_rows}
    keys = ", ".join(f'"{k}"' for k in entity.natural_key)
    dup = con.execute(
        f"SELECT DISTINCT _file_pos FROM {table} GROUP BY _file_pos, {keys} HAVING count(*) > 1"
    ).fetchall()
    clean -= {r[0] for r in dup}
    months: dict[int, set] = defaultdict(set)
    for pos, y, m in con.execute(
        f"SELECT DISTINCT _file_pos, _typed_year, _typed_month FROM {table} WHERE _typed_month IS NOT NULL"
    ).fetchall():
        months[pos].add((y, m))
    for pos, pairs in months.items():
        ctx = cands[pos].context
        if ctx.month is None or "month" not in cands[pos].layout.by_name or len(pairs) != 1:
            continue
        ((y, m),) = pairs
        if (int(y) if y is not None else ctx.year, int(m)) != (ctx.year, ctx.month):
            clean.discard(pos)  # the parser's ING-F7: the cell path quarantines it with its message
    return clean


def stage(con: Connection, cands: list[Candidate], contract: Contract, scratch: Path) -> set[int]:
    """Stage every candidate; the positions of the clean ones. `scratch`: a private folder for the
    moment DuckDB reads a group's lines."""
    _register(con, FILES, _files_frame(cands))
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for c in cands:
        groups[c.header].append(c)
    entities: dict[str, Entity] = {}
    for group in groups.values():
        _stage_group(con, group, contract, scratch)
        entities[group[0].layout.entity.name] = group[0].layout.entity
    by_pos = {c.pos: c for c in cands}
    clean: set[int] = set()
    for entity in entities.values():
        clean |= _clean_files(con, entity, by_pos)
    return clean


def staged_entities(con: Connection, contract: Contract) -> list[Entity]:
    tables = {r[0] for r in con.execute("SELECT table_name FROM duckdb_tables() WHERE temporary").fetchall()}
    return [e for e in contract.entities.values() if rows_table(e) in tables]


def drop(con: Connection, contract: Contract) -> None:
    for e in staged_entities(con, contract):
        con.execute(f"DROP TABLE {rows_table(e)}")
    con.execute(f"DROP TABLE IF EXISTS {FILES}")
