"""Compare relations of two warehouses row for row, whatever engine holds them (DuckDB, PostgreSQL): the proof
that a build on another engine gives the same marts (issue 14). Rows are matched after sorting both sides by
every column; numbers are equal within TOLERANCE (0.0001: 万元 and fractions alike), text, dates and booleans
exactly, and NULL equals only NULL. Columns are matched by name, so their order does not matter.

    differences = compare_relations(duck_con, pg_con, [("marts.mart_funding", "build_marts.mart_funding")])

`duck_con` / `pg_con`: anything with DuckDB's `execute(sql).fetchall()` and `.description` (a DuckDB
connection, xmdw.warehouse.postgres.PgConnection).
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Collection, Iterable, Sequence
from decimal import Decimal
from typing import Any

TOLERANCE = 0.0001
MAX_REPORTED_ROWS = 5  # per relation: enough to see the pattern, short enough to read


def _read(con: Any, relation: str) -> tuple[list[str], list[tuple]]:
    cur = con.execute(f"select * from {relation}")
    rows = cur.fetchall()
    return [d[0] for d in cur.description], rows


def _normal(value: Any) -> Any:
    """One representation per value across drivers: numbers as float, timestamps without time zone."""
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, (int, float, Decimal)):
        return float(value)
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    return value


def _sort_key(row: tuple) -> tuple:
    """Orders rows the same on both sides although numbers may differ within the tolerance: exact values
    first, numbers rounded to 3 decimals (a difference under 0.0001 rarely crosses a 0.001 boundary; when
    it does, the rows are reported, never silently matched)."""
    exact, rounded = [], []
    for v in row:
        if isinstance(v, float):
            rounded.append((1, round(v, 3)) if not math.isnan(v) else (2, 0.0))
        else:
            exact.append((0, "") if v is None else (1, str(type(v).__name__), str(v)))
    return (*exact, *rounded)


def _equal(a: Any, b: Any, tolerance: float) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) and isinstance(b, float):
        # a hair over the tolerance for the float error of the subtraction itself
        return abs(a - b) <= tolerance + 1e-12 or (math.isnan(a) and math.isnan(b))
    return a == b


def _row_differences(columns: Sequence[str], left: tuple, right: tuple, tolerance: float) -> list[str]:
    return [
        f"{c}: {a!r} ≠ {b!r}"
        for c, a, b in zip(columns, left, right, strict=True)
        if not _equal(a, b, tolerance)
    ]


def compare_relation(
    duck_con: Any,
    pg_con: Any,
    duck_rel: str,
    pg_rel: str,
    tolerance: float = TOLERANCE,
    ignore: Collection[str] = (),
) -> list[str]:
    """The differences between one relation on each side (empty when equal); columns named in `ignore` (what
    two runs differ in by construction: when they ran, their ids) are left out on both sides."""
    duck_cols, duck_rows = _read(duck_con, duck_rel)
    pg_cols, pg_rows = _read(pg_con, pg_rel)
    only_duck = sorted(set(duck_cols) - set(pg_cols))
    only_pg = sorted(set(pg_cols) - set(duck_cols))
    if only_duck or only_pg:
        return [f"{duck_rel}: columns only in the first {only_duck}, only in the second {only_pg}"]
    columns = sorted(c for c in duck_cols if c not in ignore)
    order_duck = [duck_cols.index(c) for c in columns]
    order_pg = [pg_cols.index(c) for c in columns]
    left = sorted((tuple(_normal(r[i]) for i in order_duck) for r in duck_rows), key=_sort_key)
    right = sorted((tuple(_normal(r[i]) for i in order_pg) for r in pg_rows), key=_sort_key)
    out: list[str] = []
    if len(left) != len(right):
        out.append(f"{duck_rel}: {len(left)} rows in the first, {len(right)} in the second")
        return out
    for n, (a, b) in enumerate(zip(left, right, strict=True)):
        diffs = _row_differences(columns, a, b, tolerance)
        if diffs:
            out.append(f"{duck_rel} row {n} (sorted): " + "; ".join(diffs))
            if len(out) >= MAX_REPORTED_ROWS:
                out.append(f"{duck_rel}: … more rows differ")
                break
    return out


def compare_relations(
    duck_con: Any,
    pg_con: Any,
    pairs: Iterable[tuple[str, str]],
    tolerance: float = TOLERANCE,
    ignore: Collection[str] = (),
) -> list[str]:
    """Every difference between the pairs (first relation on `duck_con`, second on `pg_con`); `tolerance` 0
    asks for numbers equal to the last digit."""
    out: list[str] = []
    for duck_rel, pg_rel in pairs:
        out += compare_relation(duck_con, pg_con, duck_rel, pg_rel, tolerance, ignore)
    return out


def published_pairs(duck_con: Any, schemas: Sequence[str] = ("marts", "ref")) -> list[tuple[str, str]]:
    """Every table of the published schemas in the DuckDB warehouse, paired with where a PostgreSQL build
    holds it (`build_marts`, `build_ref` before publishing: xmdw.warehouse.engine.build_schema)."""
    from xmdw.warehouse.engine import build_schema

    marks = ", ".join("?" for _ in schemas)
    tables = duck_con.execute(
        f"select schema_name, table_name from duckdb_tables() where schema_name in ({marks}) order by 1, 2",
        list(schemas),
    ).fetchall()
    return [(f'"{s}"."{t}"', f'"{build_schema(s, "postgres")}"."{t}"') for s, t in tables]
