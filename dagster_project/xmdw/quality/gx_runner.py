"""Run the catalog's rules: SQL in the engine, verdicts by Great Expectations.

Every rule writes what it finds into the run's findings relation (`dq_found`, quality/findings.py) in one
execution; Python keeps counts and a bounded part of it. Per table:

- **SQL row rules**: `insert into dq_found select …` — offending rows with their lineage, one execution
  per rule. GX gives the verdict: on DuckDB on a bounded sample (at most `SAMPLE_ROWS` rows per rule, one
  frame with a `__rule` column, one `ExpectColumnValuesToNotBeInSet(__rule, <the rules' ids>)`: a rule
  passes when GX flags none of its rows); on PostgreSQL GX's SQL datasource reads the rule's rows of
  `dq_found` in the server (quality/gx_engine.py). GX's SQL datasource does not work on DuckDB (GX 1.24 +
  duckdb-engine 0.17 + SQLAlchemy 2.1, docs/data_quality.md).
- **native expectations** (`expect_column_values_to_…`) validate the rows themselves, chunk by chunk
  (`sql_rules.native_chunks`), what GX flags in a chunk goes to `dq_found`; an incremental one only the
  rows of files not checked under the current rule set (`relations.unseen_rows`; the caller carries the
  other rows' results forward, quality/incremental.py).
- **table rules** write findings, notes and passes to `dq_found`, verdicts as for row rules; they run
  after the row rules and read only the rows those do not hold back (`hold_validation`: keys moved in
  SQL), like staging.

Peak memory: one chunk and `findings.KEPT` findings per rule, not the size of a table nor of what the
rules find.
"""

from __future__ import annotations

import itertools
import os
import time
from functools import cache

import pandas as pd

from xmdw.contract import load_contract
from xmdw.quality.catalog import Rule, rules_for
from xmdw.quality.dialect import Connection, is_postgres, with_headroom
from xmdw.quality.findings import (
    FINDING,
    clear,
    counts,
    file_rows_kept,
    flagged_rows,
    hold_found,
    insert_native,
    insert_row_rule,
    insert_table_rule,
    lineage,
    load,
)
from xmdw.quality.gx_engine import engine_verdicts
from xmdw.quality.outcomes import ROW_ID_COLUMNS, RuleOutcome, TableValidation, py_value
from xmdw.quality.relations import current_rows, prepare, release, unseen_rows
from xmdw.quality.sql_rules import native_chunks, row_finding, table_finding

__all__ = [
    "TableValidation",
    "hold_validation",
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


def _sql_expectation(rules: list[Rule]):
    """One expectation for every SQL rule of a frame of offending rows (`__rule`): the rules whose ids GX
    flags fail. One, not one per rule: GX's cost is per expectation, not per row."""
    import great_expectations as gx

    return gx.expectations.ExpectColumnValuesToNotBeInSet(
        column="__rule", value_set=[r.id for r in rules], meta={"rule_id": SQL_RULES}
    )


SQL_RULES = "__sql_rules"


def _run_suite(name: str, frame: pd.DataFrame, rules: list[Rule]) -> dict[str, tuple[bool, list]]:
    """Validate `frame` against one expectation per native rule (and one for all SQL rules); per rule id
    GX's verdict and the `__rowid`s of the rows it flagged."""
    import great_expectations as gx

    context, source = _gx()
    n = next(_suite_numbers)
    asset = source.add_dataframe_asset(name=f"{name}_{n}")
    batch_def = asset.add_batch_definition_whole_dataframe("all_rows")
    suite = context.suites.add(gx.ExpectationSuite(name=f"xmdw.{name}.{n}"))
    sql = [r for r in rules if r.is_sql]
    # GX hashes and copies the frame it is given: only the columns the expectations read
    wanted = ["__rowid", *(["__rule"] if sql else []), *(r.check["column"] for r in rules if not r.is_sql)]
    gx_frame = frame[[c for c in dict.fromkeys(wanted) if c in frame.columns]]
    try:
        for rule in rules:
            if not rule.is_sql:
                suite.add_expectation(_expectation(rule))
        if sql:
            suite.add_expectation(_sql_expectation(sql))
        result = batch_def.get_batch(batch_parameters={"dataframe": gx_frame}).validate(
            suite, result_format={"result_format": "COMPLETE", "unexpected_index_column_names": ["__rowid"]}
        )
    finally:
        context.suites.delete(suite.name)
        source.delete_asset(asset.name)
    verdicts: dict[str, tuple[bool, list]] = {}
    for res in result.results:
        detail = res.result or {}
        rowids = [int(py_value(d["__rowid"])) for d in detail.get("unexpected_index_list") or []]
        rule_id = res.expectation_config.meta["rule_id"]
        if rule_id != SQL_RULES:
            verdicts[rule_id] = (bool(res.success), rowids)
            continue
        # by row id: GX caps `unexpected_list` (200 values), not the index list
        flagged = set(frame.set_index("__rowid").loc[rowids, "__rule"])
        if not res.success and not flagged:  # GX failed without saying on what: never pass it silently
            raise RuntimeError(f"GX could not validate the SQL rules of {name}: {res.exception_info}")
        verdicts |= {r.id: (r.id not in flagged, []) for r in sql}
    return verdicts


def validate_frame(table: str, frame: pd.DataFrame, rules: list[Rule]) -> TableValidation:
    """Native expectations on a frame of rows (lineage columns, `__key` and the rules' columns)."""
    frame = frame if "__rowid" in frame.columns else frame.assign(__rowid=range(len(frame)))
    results = _run_suite(table, frame, rules)
    outcomes = []
    for rule in rules:
        success, rowids = results[rule.id]
        wanted = [c for c in dict.fromkeys([*ROW_ID_COLUMNS, "_ingested_at", "__key", rule.field]) if c]
        records = frame.set_index("__rowid", drop=False).loc[rowids, [c for c in wanted if c in frame]]
        findings = [row_finding(rule, rec) for rec in records.to_dict("records")]
        outcomes.append(_outcome(rule, success, findings, len(frame)))
    return TableValidation(table, len(frame), outcomes)


def _sample_verdicts(table: str, found: dict[str, int], rules: list[Rule]) -> dict[str, bool]:
    """GX's verdict on SQL rules from how much each found: a frame of at most SAMPLE_ROWS rows per rule."""
    sample = pd.DataFrame(
        {"__rule": [r.id for r in rules for _ in range(min(found[r.id], SAMPLE_ROWS))]}, dtype=object
    )
    results = _run_suite(f"{table}_found", sample.assign(__rowid=range(len(sample))), rules)
    return {r.id: results[r.id][0] for r in rules}


def validate_found(table: str, found: dict[str, pd.DataFrame], rules: list[Rule]) -> list[RuleOutcome]:
    """GX's verdict on findings made outside the engine (`found`: rule id -> offending rows or violating
    findings as frames; the tests' small cases): as `_verdicts` on DuckDB, findings from the frames."""
    verdicts = _sample_verdicts(table, {r.id: len(found[r.id]) for r in rules}, rules)
    outcomes = []
    for rule in rules:
        make = row_finding if rule.scope == "row" else table_finding
        findings = [make(rule, rec) for rec in found[rule.id].to_dict("records")]
        outcomes.append(_outcome(rule, verdicts[rule.id], findings, 0))
    return outcomes


def _verdicts(con: Connection, table: str, rules: list[Rule]) -> dict[str, bool]:
    """GX's verdict on SQL rules whose findings are in `dq_found`: on PostgreSQL GX reads them in the
    server (quality/gx_engine.py), on DuckDB it validates a bounded sample (`_sample_verdicts`)."""
    if is_postgres(con):
        return {rid: ok for rid, (ok, _) in engine_verdicts(_gx()[0], con, table, rules).items()}
    found = counts(con, table, [r.id for r in rules])
    return _sample_verdicts(table, {rid: c[FINDING] for rid, c in found.items()}, rules)


def _outcome(rule: Rule, success: bool, findings: list, element_count: int) -> RuleOutcome:
    return RuleOutcome(
        rule=rule,
        success=success,
        element_count=element_count,
        unexpected_count=len(findings),
        offending_rows=[lineage(f) for f in findings] if rule.scope == "row" else [],
        findings=findings,
    )


# ------------------------------------------------------------------------------------------------------
# Tables
# ------------------------------------------------------------------------------------------------------


def _native_outcomes(con: Connection, table: str, rules: list[Rule], new_only: bool) -> tuple:
    """Native expectations chunk by chunk, the rows GX flags into `dq_found`; (outcomes, rows handed
    to GX)."""
    merged = {r.id: RuleOutcome(rule=r, success=True, element_count=0, unexpected_count=0) for r in rules}
    clear(con, table, rules)
    seen = 0
    for chunk in native_chunks(con, table, rules, new_only):
        seen += len(chunk)
        for rule_id, (success, rowids) in _run_suite(table, chunk, rules).items():
            merged[rule_id].success &= success
            insert_native(con, table, merged[rule_id].rule, rowids)
    return list(merged.values()), seen


def _sql_row_outcomes(con: Connection, table: str, rules: list[Rule]) -> tuple:
    """SQL row rules into `dq_found`, GX's verdicts; (outcomes, distinct rows GX saw of the
    non-incremental rules)."""
    for rule in rules:
        with_headroom(con, lambda r=rule: insert_row_rule(con, table, r, new_rows_only=r.is_incremental))
    verdicts = _verdicts(con, table, rules)
    outcomes = [
        RuleOutcome(rule=r, success=verdicts[r.id], element_count=0, unexpected_count=0) for r in rules
    ]
    flagged = flagged_rows(con, table, [r.id for r in rules if not r.is_incremental], SAMPLE_ROWS)
    return outcomes, flagged


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
    load(con, table, outcomes)
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
        for rule in table_rules:
            with_headroom(con, lambda r=rule: insert_table_rule(con, table, r))
        verdicts = _verdicts(con, table, table_rules)
        found = counts(con, table, [r.id for r in table_rules])
        outcomes = [
            RuleOutcome(rule=r, success=verdicts[r.id], element_count=sum(found[r.id].values()),
                        unexpected_count=0)
            for r in table_rules
        ]  # fmt: skip
        load(con, table, outcomes)
        for o in outcomes:
            if o.rule.on_fail == "hold_file" and not o.success:
                o.held_rows = file_rows_kept(con, table, o.rule.id)
        validation.outcomes += outcomes
    order = {r.id: i for i, r in enumerate(all_rules)}
    validation.outcomes.sort(key=lambda o: order[o.rule.id])
    validation.seconds += time.perf_counter() - started


def hold_validation(con: Connection, validation: TableValidation) -> None:
    """Hide the rows the table's failed `hold_rows` rules flagged (keys from `dq_found`, in the engine)."""
    held = [o.rule.id for o in validation.outcomes if o.rule.on_fail == "hold_rows" and not o.success]
    hold_found(con, validation.table, held)


def validate_table(
    con: Connection, table: str, rules: list[Rule] | None = None, prepared: bool = False
) -> TableValidation:
    """Every catalog rule of one raw table, in catalog order: the row rules, then the table rules on
    the rows the row rules did not hold back."""
    if not prepared:
        prepare(con)
    rules = rules if rules is not None else rules_for(table)
    validation = validate_rows(con, table, rules)
    hold_validation(con, validation)
    try:
        validate_table_rules(con, validation, rules)
    finally:
        release(con)
    return validation
