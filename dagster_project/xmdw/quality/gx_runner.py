"""Run the catalog's rules: SQL in the engine, verdicts by Great Expectations — on DuckDB on what the SQL
found, on PostgreSQL in the server (GX runs each rule's query: quality/gx_engine.py).

GX's SQL datasource does not work on DuckDB (GX 1.24 + duckdb-engine 0.17 + SQLAlchemy 2.1: every query
metric fetches its result after the connection went back to the pool and fails; the engine also keeps the
warehouse file open with a different configuration — docs/data_quality.md). So, per table:

- **SQL row rules** run in DuckDB (`sql_rules.offending_rows`): all their offending rows come back with
  lineage, and GX validates a bounded sample of them per table (at most `SAMPLE_ROWS` per rule, one frame
  with a `__rule` column, `ExpectColumnValuesToNotBeInSet(__rule, [<id>])` per rule) — the rule passes
  when GX finds none of its rows; the count and the findings are DuckDB's.
- **native expectations** (`expect_column_values_to_…`) validate the rows themselves, chunk by chunk
  (`sql_rules.native_chunks`): an incremental one only the rows of files not checked under the current rule
  set (`relations.unseen_rows`; the caller carries the other rows' results forward, quality/incremental.py).
- **table rules** return findings (a file, a region-month …), validated like the row rules' samples; they
  run after the row rules and read only the rows those do not hold back (`relations.hold`), like staging.

Peak memory depends on what the rules find and one chunk, not on the size of a table.
"""

from __future__ import annotations

import itertools
import os
import time
from functools import cache

import pandas as pd

from xmdw.contract import load_contract
from xmdw.quality.catalog import Rule, rules_for
from xmdw.quality.dialect import Connection, is_postgres
from xmdw.quality.gx_engine import engine_verdicts
from xmdw.quality.outcomes import LINEAGE_KEY, ROW_ID_COLUMNS, RuleOutcome, TableValidation, py_value
from xmdw.quality.relations import current_rows, file_rows, hold, prepare, release, unseen_rows
from xmdw.quality.sql_rules import (
    native_chunks,
    offending_rows,
    row_finding,
    table_finding,
    table_findings,
)

__all__ = [
    "TableValidation",
    "prepare",
    "rules_for",
    "validate_rows",
    "validate_table",
    "validate_table_rules",
]

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

# Offending rows (or findings) of one rule GX sees; the rest are counted and recorded, not re-validated.
SAMPLE_ROWS = 200
# What the row rules of a table hand to GX (TableValidation.gx_rows, raw.dq_runs)
NEW_ROWS, FLAGGED_ROWS, ALL_ROWS = "new", "flagged", "all"


# ------------------------------------------------------------------------------------------------------
# Great Expectations
# ------------------------------------------------------------------------------------------------------


@cache
def _code_values(code_list: str) -> tuple[str, ...]:
    return tuple(v.code for v in load_contract().code_lists[code_list].values)


def _expectation(rule: Rule):
    import great_expectations as gx

    if rule.is_sql:  # a frame of offending rows: the rule passes when none of them is its own
        return gx.expectations.ExpectColumnValuesToNotBeInSet(
            column="__rule", value_set=[rule.id], meta={"rule_id": rule.id}
        )
    kwargs = {k: v for k, v in rule.check.items() if k != "type"}
    if isinstance(kwargs.get("value_set"), dict):
        kwargs["value_set"] = list(_code_values(kwargs["value_set"]["code_list"]))
    class_name = "".join(part.capitalize() for part in rule.check_type.split("_"))
    return getattr(gx.expectations, class_name)(**kwargs, meta={"rule_id": rule.id})


@cache
def _gx() -> tuple:
    """One ephemeral GX context and pandas datasource per process (creating them costs ~0.2 s)."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context, context.data_sources.add_pandas(name="xmdw")


_suite_numbers = itertools.count()


def _run_suite(name: str, frame: pd.DataFrame, rules: list[Rule]) -> dict[str, object]:
    """Validate `frame` against one expectation per rule; GX's result per rule id (offending rows are
    reported by `__rowid`, their lineage is read from the frame)."""
    import great_expectations as gx

    context, source = _gx()
    n = next(_suite_numbers)
    asset = source.add_dataframe_asset(name=f"{name}_{n}")
    batch_def = asset.add_batch_definition_whole_dataframe("all_rows")
    suite = context.suites.add(gx.ExpectationSuite(name=f"xmdw.{name}.{n}"))
    try:
        for rule in rules:
            suite.add_expectation(_expectation(rule))
        result = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
            suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["__rowid"]}
        )
        return {res.expectation_config.meta["rule_id"]: res for res in result.results}
    finally:
        context.suites.delete(suite.name)
        source.delete_asset(asset.name)


def validate_frame(table: str, frame: pd.DataFrame, rules: list[Rule]) -> TableValidation:
    """Native expectations on a frame of rows (lineage columns, `__key` and the rules' columns)."""
    frame = frame if "__rowid" in frame.columns else frame.assign(__rowid=range(len(frame)))
    results = _run_suite(table, frame, rules)
    outcomes = []
    for rule in rules:
        detail = results[rule.id].result or {}
        rowids = [int(py_value(d["__rowid"])) for d in detail.get("unexpected_index_list") or []]
        wanted = [c for c in dict.fromkeys([*ROW_ID_COLUMNS, "_ingested_at", "__key", rule.field]) if c]
        records = frame.set_index("__rowid", drop=False).loc[rowids, [c for c in wanted if c in frame]]
        findings = [row_finding(rule, rec) for rec in records.to_dict("records")]
        outcomes.append(_outcome(rule, bool(results[rule.id].success), findings, len(frame)))
    return TableValidation(table, len(frame), outcomes)


def validate_found(table: str, found: dict[str, pd.DataFrame], rules: list[Rule]) -> list[RuleOutcome]:
    """GX's verdict on what SQL rules found (`found`: rule id -> offending rows or violating findings):
    one frame of at most SAMPLE_ROWS rows per rule, one expectation per rule."""
    sample = pd.DataFrame(
        {"__rule": [r.id for r in rules for _ in range(min(len(found[r.id]), SAMPLE_ROWS))]}, dtype=object
    )
    results = _run_suite(f"{table}_found", sample.assign(__rowid=range(len(sample))), rules)
    outcomes = []
    for rule in rules:
        make = row_finding if rule.scope == "row" else table_finding
        findings = [make(rule, rec) for rec in found[rule.id].to_dict("records")]
        outcomes.append(_outcome(rule, bool(results[rule.id].success), findings, 0))
    return outcomes


def validate_in_engine(
    con: Connection, table: str, found: dict[str, pd.DataFrame], rules: list[Rule]
) -> list[RuleOutcome]:
    """GX's verdict on SQL rules: on PostgreSQL GX runs each rule's query in the server (quality/gx_engine.py),
    on DuckDB it validates the bounded sample of what the SQL found (`validate_found`). The findings are
    the engine's either way."""
    if not is_postgres(con):
        return validate_found(table, found, rules)
    verdicts = engine_verdicts(_gx()[0], con, table, rules)
    outcomes = []
    for rule in rules:
        make = row_finding if rule.scope == "row" else table_finding
        findings = [make(rule, rec) for rec in found[rule.id].to_dict("records")]
        outcomes.append(_outcome(rule, verdicts[rule.id][0], findings, 0))
    return outcomes


def _outcome(rule: Rule, success: bool, findings: list, element_count: int) -> RuleOutcome:
    return RuleOutcome(
        rule=rule,
        success=success,
        element_count=element_count,
        unexpected_count=len(findings),
        offending_rows=[_lineage(f) for f in findings] if rule.scope == "row" else [],
        findings=findings,
    )


def _lineage(f) -> dict:
    return {"_file_id": f.file_id, "_source_file": f.file_name, "_sheet": f.sheet,
            "_source_row": f.source_row, "_submitting_unit": f.submitting_unit}  # fmt: skip


# ------------------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------------------


def _native_outcomes(con: Connection, table: str, rules: list[Rule], new_only: bool) -> tuple:
    """Native expectations chunk by chunk; (outcomes, rows handed to GX)."""
    merged = {r.id: RuleOutcome(rule=r, success=True, element_count=0, unexpected_count=0) for r in rules}
    seen = 0
    for chunk in native_chunks(con, table, rules, new_only):
        seen += len(chunk)
        for o in validate_frame(table, chunk, rules).outcomes:
            m = merged[o.rule.id]
            m.success, m.unexpected_count = m.success and o.success, m.unexpected_count + o.unexpected_count
            m.findings += o.findings
            m.offending_rows += o.offending_rows
    return list(merged.values()), seen


def _sql_row_outcomes(con: Connection, table: str, rules: list[Rule]) -> tuple:
    """SQL row rules in DuckDB, GX on their offending rows; (outcomes, distinct flagged rows of the
    non-incremental rules)."""
    found = {r.id: offending_rows(con, table, r, new_rows_only=r.is_incremental) for r in rules}
    flagged = {
        tuple(row)
        for r in rules
        if not r.is_incremental
        for row in found[r.id][list(LINEAGE_KEY)].head(SAMPLE_ROWS).itertuples(index=False)
    }
    return validate_in_engine(con, table, found, rules), len(flagged)


def _unseen(con: Connection, table: str) -> tuple[list[str], int]:
    """The files with current rows not checked under the current rule set, and how many rows they have."""
    counts = con.execute(
        f"SELECT _file_id, count(*) FROM cur_{table} AS t WHERE {unseen_rows(table)} GROUP BY 1 ORDER BY 1"
    ).fetchall()
    return [f for f, _ in counts], sum(n for _, n in counts)


def validate_rows(con: Connection, table: str, rules: list[Rule] | None = None) -> TableValidation:
    """Phase 1 of a table: its row-scope rules on its current rows. Every outcome counts the table's
    current rows as checked (`element_count`); `gx_rows` says what the rules handed to GX."""
    started = time.perf_counter()
    row_rules = [r for r in (rules if rules is not None else rules_for(table)) if r.scope == "row"]
    total = current_rows(con, table)
    outcomes: list[RuleOutcome] = []
    gx_rows: dict[str, int] = {}
    for new_only, kind in ((True, NEW_ROWS), (False, ALL_ROWS)):
        native = [r for r in row_rules if not r.is_sql and r.is_incremental == new_only]
        if native:
            found, gx_rows[kind] = _native_outcomes(con, table, native, new_only)
            outcomes += found
    sql = [r for r in row_rules if r.is_sql]
    if sql:
        found, gx_rows[FLAGGED_ROWS] = _sql_row_outcomes(con, table, sql)
        outcomes += found
    new_files, new_rows = _unseen(con, table)
    if any(r.is_incremental for r in row_rules):
        gx_rows[NEW_ROWS] = new_rows  # the rows the incremental rules checked
    for o in outcomes:
        o.element_count = total
    order = {r.id: i for i, r in enumerate(row_rules)}
    outcomes.sort(key=lambda o: order[o.rule.id])
    validation = TableValidation(table, total, outcomes, gx_rows=gx_rows, new_files=new_files)
    validation.seconds = time.perf_counter() - started
    return validation


def validate_table_rules(
    con: Connection, validation: TableValidation, rules: list[Rule] | None = None
) -> None:
    """Phase 2 of a table: its table-scope rules, run after the held-back rows were hidden (`hold`);
    a finding of a `hold_file` rule holds back every row of the file it names."""
    started = time.perf_counter()
    table = validation.table
    all_rules = rules if rules is not None else rules_for(table)
    table_rules = [r for r in all_rules if r.scope == "table"]
    if table_rules:
        returned = {r.id: table_findings(con, table, r) for r in table_rules}
        violating = {rid: f[f["violates"].astype(bool)] for rid, f in returned.items()}
        outcomes = validate_in_engine(con, table, violating, table_rules)
        for o in outcomes:
            mine = returned[o.rule.id]
            o.element_count = len(mine)
            o.notes = [
                table_finding(o.rule, rec)
                for rec in mine[~mine["violates"].astype(bool)].to_dict("records")
                if py_value(rec["note"]) is not None
            ]
            o.held_rows = file_rows(con, table, o.held_files)
        validation.outcomes += outcomes
    order = {r.id: i for i, r in enumerate(all_rules)}
    validation.outcomes.sort(key=lambda o: order[o.rule.id])
    validation.seconds += time.perf_counter() - started


def validate_table(
    con: Connection, table: str, rules: list[Rule] | None = None, prepared: bool = False
) -> TableValidation:
    """Every catalog rule of one raw table, in catalog order: the row rules, then the table rules on
    the rows the row rules did not hold back."""
    if not prepared:
        prepare(con)
    rules = rules if rules is not None else rules_for(table)
    validation = validate_rows(con, table, rules)
    hold(con, table, validation.excluded_rows())
    try:
        validate_table_rules(con, validation, rules)
    finally:
        release(con)
    return validation
