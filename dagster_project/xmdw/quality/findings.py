"""The findings relation: what every rule of a run found, written by the engine, read back bounded.

`dq_found` (a temp table of the run, created by `relations.prepare`) holds one row per finding (`kind`
'finding'), per note of a table rule ('note', e.g. S1's 样本不足) and per other row a table rule returned
('pass': it counts as checked). Each SQL rule runs **once**: `insert into dq_found select …` — a row
rule's offending rows joined to the table for their lineage, a table rule's findings — so the count, the
lineage and the held-back keys come from the same execution. Native expectations append what GX flagged
in each chunk; an incremental run appends the findings it carries forward (`carry`).

Everything after that reads `dq_found` in SQL: the held-back rows (`hold_found`: keys only, never through
pandas), `raw.dq_results` and `raw.dq_excluded_rows` (quality/recording.py), GX's SQL datasource on
PostgreSQL (quality/gx_engine.py). Python gets counts and at most `KEPT` findings per rule (`load`), so
memory depends neither on the table nor on how much a rule finds.

Values are the text a unit reads (`outcomes.tidy`): `tidy_sql` is the same rewrite in SQL, in the regex
subset both engines share (no look-around: the boundary characters are matched, so each pass is run twice
to catch numbers one character apart).
"""

from __future__ import annotations

from xmdw.contract import load_contract
from xmdw.quality.catalog import Rule
from xmdw.quality.dialect import Connection, append_rows, create_temp_columns, in_list
from xmdw.quality.outcomes import Finding, RuleOutcome
from xmdw.quality.relations import (
    FINDING_FIELDS,
    FOUND,
    FOUND_COLUMNS,
    HELD,
    NATIVE_ROWS,
    base_relation,
    key_expr,
    rule_sql,
)
from xmdw.warehouse.store import RAW

# Findings (and notes, held rows) of one rule kept in Python: the DQ check's metadata, the web check page
# and the tests read them; the complete set stays in the engine.
KEPT = 200
FINDING, NOTE, PASS = "finding", "note", "pass"
RULE_OUT = "dq_rule_out"
FLAGGED = "dq_flagged"
_NUMBER_WITH_DIGITS = r"(^|[^0-9.])([0-9]+)\.([0-9]*[1-9])0+([^0-9]|$)"
_NUMBER_ALL_ZEROS = r"(^|[^0-9.])([0-9]+)\.0+([^0-9]|$)"


def tidy_sql(expr: str) -> str:
    """SQL of `outcomes.tidy`: '6504.8000' -> '6504.8', '380.0000 > 2.50' -> '380 > 2.5'."""
    out = expr
    for pattern, replacement in ((_NUMBER_WITH_DIGITS, r"\1\2.\3\4"), (_NUMBER_ALL_ZEROS, r"\1\2\3")):
        for _ in range(2):
            out = f"regexp_replace({out}, '{pattern}', '{replacement}', 'g')"
    return out


def _text(value: str | None) -> str:
    return "NULL" if value is None else "'" + value.replace("'", "''") + "'"


def _has_column(table: str, column: str | None) -> bool:
    return bool(column) and any(c.name == column for c in load_contract().entity(table).columns)


def clear(con: Connection, table: str, rules: list[Rule]) -> None:
    """Forget what these rules found in `table` (a rule validated twice on one connection)."""
    ids = [r.id for r in rules]
    con.execute(f"DELETE FROM {FOUND} WHERE entity = ? AND rule_id IN {in_list(ids)}", [table, *ids])


def _names() -> str:
    return ", ".join(n for n, _ in FOUND_COLUMNS)


def insert_row_rule(con: Connection, table: str, rule: Rule, new_rows_only: bool) -> None:
    """One execution of a row rule: its offending rows (one per table row, the smallest observed value)
    with their lineage, natural key and observed value (or the rule column's value)."""
    clear(con, table, [rule])
    observed = "o.observed"
    if _has_column(table, rule.field):
        observed = f'coalesce(o.observed, CAST(t."{rule.field}" AS VARCHAR))'
    con.execute(f"""
        INSERT INTO {FOUND} ({_names()})
        SELECT {_text(table)}, {_text(rule.id)}, '{FINDING}', t._submitting_unit, t._file_id, t._source_file,
               t._sheet, t._source_row, {_text(rule.field)}, {key_expr(table) or "NULL"}, {tidy_sql(observed)},
               t._ingested_at, NULL
        FROM (SELECT _file_id AS f, _sheet AS s, _source_row AS r, min(CAST(observed AS VARCHAR)) AS observed
              FROM (
{rule_sql(rule, table, new_rows_only)}
              ) AS q GROUP BY 1, 2, 3) AS o
        JOIN {base_relation(table)} AS t
          ON t._file_id = o.f AND t._sheet IS NOT DISTINCT FROM o.s AND t._source_row = o.r""")


def _out_columns(con: Connection) -> set[str]:
    con.execute(f"SELECT * FROM {RULE_OUT} WHERE 1 = 0").fetchall()
    return {d[0] for d in con.description}


def insert_table_rule(con: Connection, table: str, rule: Rule) -> None:
    """One execution of a table rule, materialised (its columns vary: FINDING_COLUMNS, missing ones
    NULL, `violates` true), then classified: violating rows are findings, the others notes (with a note)
    or passes."""
    from xmdw.quality.dialect import create_temp

    clear(con, table, [rule])
    create_temp(con, "TABLE", RULE_OUT, rule_sql(rule, table))
    have = _out_columns(con)

    def col(name: str) -> str:
        return f"CAST(q.{name} AS VARCHAR)" if name in have else "NULL"

    violates = "coalesce(CAST(q.violates AS BOOLEAN), true)" if "violates" in have else "true"
    column = f"coalesce(nullif({col('column_name')}, ''), {_text(rule.field)})"
    source_row = "CAST(q.source_row AS INTEGER)" if "source_row" in have else "NULL"
    con.execute(f"""
        INSERT INTO {FOUND} ({_names()})
        SELECT {_text(table)}, {_text(rule.id)},
               CASE WHEN {violates} THEN '{FINDING}' WHEN {col("note")} IS NOT NULL THEN '{NOTE}'
                    ELSE '{PASS}' END,
               {col("submitting_unit")}, {col("file_id")}, {col("file_name")}, {col("sheet")}, {source_row},
               {column}, {col("record_key")}, {tidy_sql(col("observed"))}, NULL, {col("note")}
        FROM {RULE_OUT} AS q""")
    con.execute(f"DROP TABLE {RULE_OUT}")


def insert_native(con: Connection, table: str, rule: Rule, rowids: list[int]) -> None:
    """The rows a native expectation flagged in one chunk (their numbers in `sql_rules.NATIVE_ROWS`),
    with the lineage, key and value found there: only the numbers pass through Python."""
    if not rowids:
        return
    create_temp_columns(con, FLAGGED, [("__n", "BIGINT")])
    append_rows(con, FLAGGED, [{"__n": n} for n in rowids], [("__n", "BIGINT")])
    con.execute(f"""
        INSERT INTO {FOUND} ({_names()})
        SELECT {_text(table)}, {_text(rule.id)}, '{FINDING}', t._submitting_unit, t._file_id, t._source_file,
               t._sheet, t._source_row, {_text(rule.field)}, t.__key,
               {tidy_sql(f'CAST(t."{rule.field}" AS VARCHAR)')}, t._ingested_at, NULL
        FROM {NATIVE_ROWS} AS t WHERE t.__n IN (SELECT __n FROM {FLAGGED})""")


def carry(con: Connection, table: str, run_id: str, rule_ids: list[str], seen: str) -> None:
    """The findings of `run_id` for these rules on rows of checked files that are still current, copied
    in the engine (quality/incremental.py)."""
    con.execute(
        f"""
        INSERT INTO {FOUND} ({_names()})
        SELECT d.table_name, d.rule_id, '{FINDING}', d.submitting_unit, d.file_id, d.file_name, d.sheet,
               d.source_row, d.column_name, d.record_key, d.observed_value, d.submitted_at, NULL
        FROM {RAW}.dq_results AS d
        WHERE d.run_id = ? AND d.table_name = ? AND d.scope = 'row' AND d.severity IN ('fatal', 'warning')
          AND d.rule_id IN {in_list(rule_ids)}
          AND EXISTS (SELECT 1 FROM {seen} AS s WHERE s.entity = d.table_name AND s.file_id = d.file_id)
          AND EXISTS (SELECT 1 FROM latest_{table} AS l WHERE l._file_id = d.file_id
                      AND l._sheet IS NOT DISTINCT FROM d.sheet AND l._source_row = d.source_row)
        """,
        [run_id, table, *rule_ids],
    )


def counts(con: Connection, table: str, rule_ids: list[str]) -> dict[str, dict[str, int]]:
    """Per rule id: how many findings, notes and passes it has in `dq_found`."""
    out: dict[str, dict[str, int]] = {r: {FINDING: 0, NOTE: 0, PASS: 0} for r in rule_ids}
    if not rule_ids:
        return out
    for rule_id, kind, n in con.execute(
        f"SELECT rule_id, kind, count(*) FROM {FOUND} WHERE entity = ? AND rule_id IN {in_list(rule_ids)} "
        "GROUP BY 1, 2",
        [table, *rule_ids],
    ).fetchall():
        out[rule_id][kind] = int(n)
    return out


def _kept(con: Connection, table: str, rule_ids: list[str], kind: str) -> dict[str, list[Finding]]:
    """At most KEPT findings (or notes) per rule, in lineage order."""
    names = FINDING_FIELDS
    out: dict[str, list[Finding]] = {r: [] for r in rule_ids}
    rows = con.execute(
        f"""
        SELECT rule_id, {", ".join(names)} FROM (
            SELECT f.*, row_number() OVER (PARTITION BY rule_id
                ORDER BY file_id, sheet, source_row, record_key, observed, column_name) AS rk
            FROM {FOUND} AS f WHERE entity = ? AND kind = ? AND rule_id IN {in_list(rule_ids)}) AS k
        WHERE rk <= {KEPT} ORDER BY rule_id, rk""",
        [table, kind, *rule_ids],
    ).fetchall()
    for rule_id, *values in rows:
        out[rule_id].append(Finding(**dict(zip(names, values, strict=True))))
    return out


def load(con: Connection, table: str, outcomes: list[RuleOutcome]) -> None:
    """Set each outcome's counts from `dq_found` and keep at most KEPT of its findings and notes."""
    ids = [o.rule.id for o in outcomes]
    found = counts(con, table, ids)
    findings, notes = _kept(con, table, ids, FINDING), _kept(con, table, ids, NOTE)
    for o in outcomes:
        o.unexpected_count, o.note_count = found[o.rule.id][FINDING], found[o.rule.id][NOTE]
        o.findings, o.notes = findings[o.rule.id], notes[o.rule.id]
        o.offending_rows = [lineage(f) for f in o.findings] if o.rule.scope == "row" else []


def lineage(f: Finding) -> dict:
    """An offending row's lineage as GX's unexpected rows name it."""
    return {"_file_id": f.file_id, "_source_file": f.file_name, "_sheet": f.sheet,
            "_source_row": f.source_row, "_submitting_unit": f.submitting_unit}  # fmt: skip


def flagged_rows(con: Connection, table: str, rule_ids: list[str], sample: int) -> int:
    """Distinct rows among the first `sample` offending rows of each rule (what GX saw of them)."""
    if not rule_ids:
        return 0
    return con.execute(
        f"""
        SELECT count(*) FROM (SELECT DISTINCT file_id, sheet, source_row FROM (
            SELECT file_id, sheet, source_row, row_number() OVER (PARTITION BY rule_id
                ORDER BY file_id, sheet, source_row) AS rk
            FROM {FOUND} WHERE entity = ? AND kind = '{FINDING}' AND rule_id IN {in_list(rule_ids)}) AS k
            WHERE rk <= {sample}) AS d""",
        [table, *rule_ids],
    ).fetchall()[0][0]


def hold_found(con: Connection, table: str, rule_ids: list[str]) -> None:
    """Hide the rows these (failed, `hold_rows`) rules flagged from `cur_<table>`: keys, in the engine."""
    if rule_ids:
        con.execute(
            f"INSERT INTO {HELD} SELECT entity, file_id, sheet, source_row FROM {FOUND} "
            f"WHERE entity = ? AND kind = '{FINDING}' AND rule_id IN {in_list(rule_ids)}",
            [table, *rule_ids],
        )


def held_files_sql(table: str, rule_id: str) -> str:
    """The files a failed `hold_file` rule's findings name."""
    return (
        f"SELECT DISTINCT file_id FROM {FOUND} WHERE entity = {_text(table)} AND rule_id = {_text(rule_id)} "
        f"AND kind = '{FINDING}' AND file_id IS NOT NULL"
    )


def held_files(con: Connection, table: str, rule_id: str) -> list[str]:
    return sorted(r[0] for r in con.execute(held_files_sql(table, rule_id)).fetchall())


def file_rows_kept(con: Connection, table: str, rule_id: str) -> list[tuple]:
    """(file_id, sheet, source_row) of the first KEPT current rows of the files a rule holds back."""
    return con.execute(
        f"SELECT _file_id, _sheet, _source_row FROM latest_{table} "
        f"WHERE _file_id IN ({held_files_sql(table, rule_id)}) ORDER BY 1, 2, 3 LIMIT {KEPT}"
    ).fetchall()
