"""Record a run's findings in the engine: `raw.dq_results` and `raw.dq_excluded_rows` are written by
`insert … select` from the findings relation (quality/findings.py), so their size never passes through
Python — a rule that flags millions of rows writes millions of result rows without holding one of them.

What a finding becomes is decided by its rule's outcome (`on_fail`, GX's verdict, the rule's texts): the
run's outcomes go to a small temp table `dq_outcome` first, the contract's column names to `dq_column_zh`.
The SQL below is `results._result_rows`, `RuleOutcome.holds/blocks` and `results._fill_file_details` as
one statement; `tests/test_engine_rules.py` compares what it writes on both engines.
"""

from __future__ import annotations

from datetime import datetime

from xmdw.contract import load_contract
from xmdw.quality.dialect import Connection, append_rows, create_temp_columns, in_list
from xmdw.quality.findings import FINDING, NOTE
from xmdw.quality.outcomes import TableValidation
from xmdw.quality.relations import FOUND
from xmdw.warehouse.store import RAW

OUTCOME = "dq_outcome"
COLUMN_ZH = "dq_column_zh"
_OUTCOME_COLUMNS = [
    ("entity", "VARCHAR"), ("rule_id", "VARCHAR"), ("severity", "VARCHAR"), ("rule_group", "VARCHAR"),
    ("scope", "VARCHAR"), ("on_fail", "VARCHAR"), ("success", "BOOLEAN"), ("message_zh", "VARCHAR"),
]  # fmt: skip
_ZH_COLUMNS = [("entity", "VARCHAR"), ("column_name", "VARCHAR"), ("column_zh", "VARCHAR")]
# a finding names a file (`hold_file` holds it back) — results.py's `bool(finding.file_id)`
_NAMES_FILE = "coalesce(f.file_id, '') <> ''"


def stage_outcomes(con: Connection, validations: list[TableValidation]) -> None:
    """`dq_outcome`: one row per rule and table of the run; `dq_column_zh`: the contract's column names
    by entity (results._column_zh looks the entity up by the table name)."""
    create_temp_columns(con, OUTCOME, _OUTCOME_COLUMNS)
    rows = [
        {"entity": v.table, "rule_id": o.rule.id, "severity": o.rule.severity, "rule_group": o.rule.group,
         "scope": o.rule.scope, "on_fail": o.rule.on_fail, "success": o.success,
         "message_zh": o.rule.message_zh}
        for v in validations
        for o in v.outcomes
    ]  # fmt: skip
    if rows:
        append_rows(con, OUTCOME, rows, _OUTCOME_COLUMNS)
    create_temp_columns(con, COLUMN_ZH, _ZH_COLUMNS)
    zh = [
        {"entity": name, "column_name": c.name, "column_zh": c.zh}
        for name, entity in load_contract().entities.items()
        for c in entity.columns
    ]
    append_rows(con, COLUMN_ZH, zh, _ZH_COLUMNS)


def _excluded_sql(tables: list[str]) -> str:
    """(entity, file_id, sheet, source_row, rule_id) of every row the run holds back: the findings of
    failed `hold_rows` rules and every current row of the files failed `hold_file` rules name."""
    rows = (
        f"SELECT f.entity, f.file_id, f.sheet, f.source_row, f.rule_id FROM {FOUND} AS f "
        f"JOIN {OUTCOME} AS o ON o.entity = f.entity AND o.rule_id = f.rule_id "
        f"WHERE f.kind = '{FINDING}' AND NOT o.success AND o.on_fail = 'hold_rows'"
    )
    files = [
        f"SELECT h.entity, l._file_id, l._sheet, l._source_row, h.rule_id "
        f"FROM (SELECT DISTINCT f.entity, f.rule_id, f.file_id FROM {FOUND} AS f "
        f"      JOIN {OUTCOME} AS o ON o.entity = f.entity AND o.rule_id = f.rule_id "
        f"      WHERE f.entity = '{table}' AND f.kind = '{FINDING}' AND NOT o.success "
        f"        AND o.on_fail = 'hold_file' AND {_NAMES_FILE}) AS h "
        f"JOIN latest_{table} AS l ON l._file_id = h.file_id"
        for table in tables
    ]
    return "\nUNION ALL\n".join([rows, *files])


def held_back(con: Connection, tables: list[str]) -> dict[str, int]:
    """Distinct rows held back per table (what `TableValidation.excluded_rows()` would list)."""
    if not tables:
        return {}
    found = dict(
        con.execute(
            f"SELECT entity, count(*) FROM (SELECT DISTINCT entity, file_id, sheet, source_row "
            f"FROM ({_excluded_sql(tables)}) AS x) AS d GROUP BY entity"
        ).fetchall()
    )
    return {t: int(found.get(t, 0)) for t in tables}


def insert_excluded(con: Connection, tables: list[str], run_id: str, now: datetime) -> None:
    if tables:
        con.execute(
            f"INSERT INTO {RAW}.dq_excluded_rows (entity, _file_id, _sheet, _source_row, rule_id, run_id, "
            f"excluded_at) SELECT x.*, ?, ? FROM ({_excluded_sql(tables)}) AS x",
            [run_id, now],
        )


def insert_results(con: Connection, tables: list[str], run_id: str, now: datetime) -> None:
    """`raw.dq_results`: every finding (its rule's severity) and note ('info') of the run's tables."""
    if not tables:
        return
    failed = f"f.kind = '{FINDING}' AND NOT o.success"
    filled = "i.file_id IS NOT NULL"  # a file named without its name or submission time: ingest_log's
    con.execute(
        f"""
        INSERT INTO {RAW}.dq_results (run_id, rule_id, severity, rule_group, table_name, scope,
            submitting_unit, file_id, file_name, sheet, source_row, column_name, column_zh, record_key,
            observed_value, message_zh, held_back, blocking, submitted_at, detected_at)
        SELECT ?, f.rule_id, CASE WHEN f.kind = '{NOTE}' THEN 'info' ELSE o.severity END, o.rule_group,
               f.entity, o.scope,
               CASE WHEN {filled} THEN coalesce(nullif(f.submitting_unit, ''), i.unit) ELSE f.submitting_unit END,
               f.file_id,
               CASE WHEN {filled} THEN coalesce(nullif(f.file_name, ''), i.name) ELSE f.file_name END,
               f.sheet, f.source_row, f.column_name, coalesce(z.column_zh, f.column_name), f.record_key,
               f.observed, CASE WHEN f.kind = '{NOTE}' THEN f.note ELSE o.message_zh END,
               {failed} AND (o.on_fail = 'hold_rows' OR (o.on_fail = 'hold_file' AND {_NAMES_FILE})),
               {failed} AND (o.on_fail = 'block_table' OR (o.on_fail = 'hold_file' AND NOT {_NAMES_FILE})),
               CASE WHEN {filled} THEN coalesce(f.submitted_at, i.at) ELSE f.submitted_at END,
               ?
        FROM {FOUND} AS f
        JOIN {OUTCOME} AS o ON o.entity = f.entity AND o.rule_id = f.rule_id
        LEFT JOIN {COLUMN_ZH} AS z ON z.entity = f.entity AND z.column_name = f.column_name
        LEFT JOIN (SELECT file_id, min(file_name) AS name, min(submitting_unit) AS unit,
                          max(ingested_at) AS at
                   FROM {RAW}.ingest_log GROUP BY file_id) AS i
          ON i.file_id = f.file_id AND (coalesce(f.file_name, '') = '' OR f.submitted_at IS NULL)
        WHERE f.kind IN ('{FINDING}', '{NOTE}') AND f.entity IN {in_list(tables)}""",
        [run_id, now, *tables],
    )
