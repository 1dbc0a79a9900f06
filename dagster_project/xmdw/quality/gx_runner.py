"""Run the catalog's rules with Great Expectations on pandas DataFrames read from DuckDB.

GX's SQL datasource is broken on DuckDB (and would keep the file locked), so tables are read into
pandas first (decision 12). Per table:

- **row scope**: the frame holds rows of the latest revision of every natural key (what staging reads)
  plus one boolean column per SQL rule — a `sql_violation` predicate evaluated on the row, or a
  `sql_query` returning offending rows' lineage, joined back on (_file_id, _sheet, _source_row). GX
  validates native expectations on the columns and `ExpectColumnValuesToBeInSet([False])` on the
  booleans; every offending row comes back with its lineage through `unexpected_index_column_names`.
  Which rows a raw table's frame holds depends on the rule (issue 11: validate new rows, not history):
  *incremental* rules (`Rule.is_incremental`, they read nothing but their row) get the rows of files not
  checked under the current rule set (`relations.unseen_rows`; every row when nothing was checked yet —
  the caller carries the other rows' results forward, `quality/incremental.py`); the other SQL rules are
  evaluated by DuckDB on every current row and GX gets only the rows they flag; a native expectation that
  is not incremental (none on raw tables today) and every mart rule get the whole table.
- **table scope**: each rule's query returns findings (a file, a region-month, a unit-year …); they are
  stacked into one frame with one boolean per rule and validated the same way. Table rules run after
  the row rules and read only the rows those hold back not (`relations.hold`), like staging.

The relations rule SQL reads are created by `relations.prepare()`.
"""

from __future__ import annotations

import itertools
import os
import time
from functools import cache

import duckdb
import pandas as pd

from xmdw.contract import load_contract
from xmdw.quality.catalog import SQL_TYPES, Rule, is_mart, rules_for
from xmdw.quality.outcomes import (
    FINDING_COLUMNS,
    ROW_ID_COLUMNS,
    Finding,
    RuleOutcome,
    TableValidation,
    as_text,
    py_value,
    tidy,
)
from xmdw.quality.relations import (
    base_relation,
    current_rows,
    file_rows,
    hold,
    key_expr,
    prepare,
    release,
    rule_sql,
    unseen_rows,
)

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")


def _violation_column(rule: Rule) -> str:
    return f"__violates_{rule.id.replace('-', '_')}"


def _observed_column(rule: Rule) -> str:
    return f"__observed_{rule.id.replace('-', '_')}"


# ------------------------------------------------------------------------------------------------------
# Frames
# ------------------------------------------------------------------------------------------------------


# Which rows a group of row rules is handed (see the module docstring).
ALL_ROWS, NEW_ROWS, FLAGGED_ROWS = "all", "new", "flagged"


def read_table(
    con: duckdb.DuckDBPyConnection, table: str, rules: list[Rule], rows: str = ALL_ROWS
) -> pd.DataFrame:
    """The table's current rows (`rows`: all, those of files not checked yet, or those a rule flags)
    plus, per SQL rule, a violation flag and the observed value."""
    selects, joins = [], []
    for i, r in enumerate(rules):
        flag, obs = _violation_column(r), _observed_column(r)
        if r.check_type == "sql_violation":
            pred = f"coalesce(({rule_sql(r.check['where'], table)}), false)"
            observed = r.check.get("observed") or (f't."{r.field}"' if r.field else "NULL")
            selects.append(f'{pred} AS "{flag}"')
            selects.append(
                f'CASE WHEN {pred} THEN CAST(({rule_sql(observed, table)}) AS VARCHAR) END AS "{obs}"'
            )
        elif r.check_type == "sql_query":
            alias = f"q{i}"
            joins.append(
                f"LEFT JOIN (SELECT _file_id AS __f, _sheet AS __s, _source_row AS __r, "
                f"min(CAST(observed AS VARCHAR)) AS __o FROM ({rule_sql(r.check['query'], table)}) AS qq "
                f"GROUP BY 1, 2, 3) AS {alias} ON {alias}.__f = t._file_id "
                f"AND {alias}.__s IS NOT DISTINCT FROM t._sheet AND {alias}.__r = t._source_row"
            )
            selects.append(f'{alias}.__f IS NOT NULL AS "{flag}"')
            selects.append(f'{alias}.__o AS "{obs}"')
    key = key_expr(table) or "NULL"
    extra = "".join(f", {s}" for s in selects)
    sql = f"SELECT t.*, {key} AS __key{extra} FROM {base_relation(table)} AS t {' '.join(joins)}"
    if rows == NEW_ROWS:
        sql += f" WHERE {unseen_rows(table)}"
    elif rows == FLAGGED_ROWS:
        flags = " OR ".join(f'"{_violation_column(r)}"' for r in rules if r.check_type in SQL_TYPES)
        sql = f"SELECT * FROM ({sql}) AS flagged WHERE {flags or 'false'}"
    frame = con.execute(sql).df()
    frame["__rowid"] = range(len(frame))
    return frame


def read_findings(con: duckdb.DuckDBPyConnection, table: str, rules: list[Rule]) -> pd.DataFrame:
    """Stack the findings of the table's table-scope rules: one row per finding, one flag per rule."""
    parts = []
    for r in rules:
        part = con.execute(rule_sql(r.check["query"], table)).df()
        for c in FINDING_COLUMNS:
            if c not in part.columns:
                part[c] = True if c == "violates" else None
        part = part[FINDING_COLUMNS].astype(object)
        part["violates"] = part["violates"].map(lambda v: bool(v) if v is not None and v == v else True)
        part["__rule"] = r.id
        parts.append(part)
    frame = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=[*FINDING_COLUMNS, "__rule"])
    )
    frame = frame.astype(object)
    for r in rules:
        frame[_violation_column(r)] = (frame["__rule"] == r.id) & frame["violates"].astype(bool)
        frame[_violation_column(r)] = frame[_violation_column(r)].astype(bool)
    frame["__rowid"] = range(len(frame))
    return frame


# ------------------------------------------------------------------------------------------------------
# Great Expectations
# ------------------------------------------------------------------------------------------------------


@cache
def _code_values(code_list: str) -> tuple[str, ...]:
    return tuple(v.code for v in load_contract().code_lists[code_list].values)


def _expectation(rule: Rule):
    import great_expectations as gx

    if rule.check_type in ("sql_violation", "sql_query"):
        return gx.expectations.ExpectColumnValuesToBeInSet(
            column=_violation_column(rule), value_set=[False], meta={"rule_id": rule.id}
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


def _run_suite(name: str, frame: pd.DataFrame, rules: list[Rule], index_columns: list[str]) -> list:
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
            suite,
            result_format={"result_format": "COMPLETE", "unexpected_index_column_names": index_columns},
        )
        return list(result.results)
    finally:
        context.suites.delete(suite.name)
        source.delete_asset(asset.name)


def _row_finding(rule: Rule, row: dict) -> Finding:
    observed = row.get(_observed_column(rule))
    if py_value(observed) is None and rule.field:
        observed = row.get(rule.field)
    return Finding(
        submitting_unit=as_text(row.get("_submitting_unit")),
        file_id=as_text(row.get("_file_id")),
        file_name=as_text(row.get("_source_file")),
        sheet=as_text(row.get("_sheet")),
        source_row=py_value(row.get("_source_row")),
        column_name=rule.field,
        record_key=as_text(row.get("__key")),
        observed=tidy(as_text(observed)),
        submitted_at=py_value(row.get("_ingested_at")),
    )


def _table_finding(rule: Rule, row: dict) -> Finding:
    source_row = py_value(row["source_row"])
    return Finding(
        submitting_unit=as_text(row["submitting_unit"]),
        file_id=as_text(row["file_id"]),
        file_name=as_text(row["file_name"]),
        sheet=as_text(row["sheet"]),
        source_row=int(source_row) if source_row is not None else None,
        column_name=as_text(row["column_name"]) or rule.field,
        record_key=as_text(row["record_key"]),
        observed=tidy(as_text(row["observed"])),
        note=as_text(row["note"]),
    )


def _finding_columns(rule: Rule, frame: pd.DataFrame, table_scope: bool) -> list[str]:
    """The frame columns a finding of `rule` reads (selecting them first keeps big failures fast)."""
    if table_scope:
        return FINDING_COLUMNS
    wanted = [*ROW_ID_COLUMNS, "__key", "_ingested_at", _observed_column(rule), rule.field]
    return [c for c in dict.fromkeys(wanted) if c and c in frame.columns]


def _outcomes(results: list, rules: list[Rule], frame: pd.DataFrame, table_scope: bool) -> list[RuleOutcome]:
    by_id = {r.id: r for r in rules}
    outcomes = []
    for res in results:
        rule = by_id[res.expectation_config.meta["rule_id"]]
        detail = res.result or {}
        index_list = [
            {k: py_value(v) for k, v in d.items()} for d in detail.get("unexpected_index_list") or []
        ]
        rowids = [int(d["__rowid"]) for d in index_list]
        records = frame.iloc[rowids][_finding_columns(rule, frame, table_scope)].to_dict("records")
        make = _table_finding if table_scope else _row_finding
        findings = [make(rule, rec) for rec in records]
        element_count = int(detail.get("element_count") or 0)
        notes = []
        if table_scope:
            mine = frame[(frame["__rule"] == rule.id) & ~frame["violates"].astype(bool)]
            element_count = int((frame["__rule"] == rule.id).sum())
            notes = [
                _table_finding(rule, rec)
                for rec in mine[FINDING_COLUMNS].to_dict("records")
                if py_value(rec["note"]) is not None
            ]
        outcomes.append(
            RuleOutcome(
                rule=rule,
                success=bool(res.success),
                element_count=element_count,
                unexpected_count=int(detail.get("unexpected_count") or 0),
                offending_rows=[{c: py_value(rec[c]) for c in ROW_ID_COLUMNS if c in rec} for rec in records],
                findings=findings,
                notes=notes,
            )
        )
    return outcomes


def validate_frame(table: str, frame: pd.DataFrame, rules: list[Rule] | None = None) -> TableValidation:
    """Validate a table's rows (row-scope rules) with GX. SQL rules need their flag columns in `frame`."""
    rules = [r for r in (rules if rules is not None else rules_for(table)) if r.scope == "row"]
    frame = frame if "__rowid" in frame.columns else frame.assign(__rowid=range(len(frame)))
    if not rules:
        return TableValidation(table, len(frame), [])
    # GX reports offending rows by __rowid only (its per-row index lookup is the slow part at scale);
    # their lineage is read from the frame.
    results = _run_suite(table.replace(".", "_"), frame, rules, ["__rowid"])
    return TableValidation(table, len(frame), _outcomes(results, rules, frame, table_scope=False))


def validate_findings(table: str, findings: pd.DataFrame, rules: list[Rule]) -> list[RuleOutcome]:
    """Validate the stacked findings of table-scope rules with GX."""
    rules = [r for r in rules if r.scope == "table"]
    if not rules:
        return []
    if findings.empty:  # no finding and no note: every rule passed, nothing for GX to look at
        return [RuleOutcome(rule=r, success=True, element_count=0, unexpected_count=0) for r in rules]
    results = _run_suite(f"{table.replace('.', '_')}_findings", findings, rules, ["__rowid"])
    return _outcomes(results, rules, findings, table_scope=True)


def row_groups(table: str, rules: list[Rule]) -> list[tuple[str, list[Rule]]]:
    """The row rules of a table by the rows their frame holds (NEW_ROWS, FLAGGED_ROWS, ALL_ROWS)."""
    if is_mart(table):
        return [(ALL_ROWS, rules)]
    incremental = [r for r in rules if r.is_incremental]
    flagged = [r for r in rules if not r.is_incremental and r.check_type in SQL_TYPES]
    whole = [r for r in rules if not r.is_incremental and r.check_type not in SQL_TYPES]
    return [(NEW_ROWS, incremental), (FLAGGED_ROWS, flagged), (ALL_ROWS, whole)]


def validate_rows(
    con: duckdb.DuckDBPyConnection, table: str, rules: list[Rule] | None = None
) -> TableValidation:
    """Phase 1 of a table: its row-scope rules on its current rows, each group of rules on the rows it
    needs (`row_groups`). Every outcome counts the table's current rows as checked (`element_count`);
    `gx_rows` says how many rows each group actually handed to GX."""
    started = time.perf_counter()
    all_rules = rules if rules is not None else rules_for(table)
    row_rules = [r for r in all_rules if r.scope == "row"]
    total = current_rows(con, table)
    outcomes: list[RuleOutcome] = []
    gx_rows: dict[str, int] = {}
    for rows, group in row_groups(table, row_rules):
        if not group:
            continue
        frame = read_table(con, table, group, rows)
        gx_rows[rows] = len(frame)
        if len(frame) or rows == ALL_ROWS:
            outcomes += validate_frame(table, frame, group).outcomes
        else:  # nothing to hand over: no new row, or no row any rule flags
            outcomes += [
                RuleOutcome(rule=r, success=True, element_count=0, unexpected_count=0) for r in group
            ]
    for o in outcomes:
        o.element_count = total
    order = {r.id: i for i, r in enumerate(row_rules)}
    outcomes.sort(key=lambda o: order[o.rule.id])
    validation = TableValidation(table, total, outcomes, gx_rows=gx_rows)
    if not is_mart(table):
        validation.new_files = [
            r[0]
            for r in con.execute(
                f"SELECT DISTINCT _file_id FROM {base_relation(table)} AS t WHERE {unseen_rows(table)} "
                "ORDER BY 1"
            ).fetchall()
        ]
    validation.seconds = time.perf_counter() - started
    return validation


def validate_table_rules(
    con: duckdb.DuckDBPyConnection, validation: TableValidation, rules: list[Rule] | None = None
) -> None:
    """Phase 2 of a table: its table-scope rules, run after the held-back rows were hidden (`hold`);
    a finding that names a file holds back every row of that file. Outcomes go into `validation`."""
    started = time.perf_counter()
    table = validation.table
    all_rules = rules if rules is not None else rules_for(table)
    table_rules = [r for r in all_rules if r.scope == "table"]
    outcomes = validate_findings(table, read_findings(con, table, table_rules), table_rules)
    for o in outcomes:
        o.held_rows = file_rows(con, table, o.held_files)
    validation.outcomes += outcomes
    order = {r.id: i for i, r in enumerate(all_rules)}
    validation.outcomes.sort(key=lambda o: order[o.rule.id])
    validation.seconds += time.perf_counter() - started


def validate_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rules: list[Rule] | None = None,
    prepared: bool = False,
) -> TableValidation:
    """Every catalog rule of one table (raw entity or mart), in catalog order: the row rules, then the
    table rules on the rows the row rules did not hold back."""
    if not prepared:
        prepare(con)
    rules = rules if rules is not None else rules_for(table)
    validation = validate_rows(con, table, rules)
    if not is_mart(table):
        hold(con, table, validation.excluded_rows())
    try:
        validate_table_rules(con, validation, rules)
    finally:
        release(con)
    return validation
