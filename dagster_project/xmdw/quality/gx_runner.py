"""Run the catalog's rules with Great Expectations on pandas DataFrames read from DuckDB.

GX's SQL datasource is broken on DuckDB (and would keep the file locked), so tables are read into
pandas first (decision 12). Per table:

- **row scope**: the frame is the latest revision of every natural key (what staging reads) plus one
  boolean column per SQL rule — a `sql_violation` predicate evaluated on the row, or a `sql_query`
  returning offending rows' lineage, joined back on (_file_id, _sheet, _source_row). GX validates native
  expectations on the columns and `ExpectColumnValuesToBeInSet([False])` on the booleans; every
  offending row comes back with its lineage through `unexpected_index_column_names`.
- **table scope**: each rule's query returns findings (a file, a region-month, a unit-year …); they are
  stacked into one frame with one boolean per rule and validated the same way.

Before any rule runs, `prepare()` creates the relations rule SQL may use: `cur_<entity>` (latest
revisions), `seed_<name>` (the reference CSVs, so rules work before dbt has built `ref.*`) and the
catalog's helper views.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import time
from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import duckdb
import pandas as pd

from xmdw.contract import load_contract
from xmdw.ingestion.store import RAW
from xmdw.paths import SEEDS_DIR
from xmdw.quality.catalog import Rule, catalog_views, entity_tables, is_mart, mart_keys, rules_for

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

# Lineage columns GX reports for every offending row of a raw table.
ROW_ID_COLUMNS = ["_file_id", "_source_file", "_sheet", "_source_row", "_submitting_unit"]
LINEAGE_KEY = ("_file_id", "_sheet", "_source_row")
FINDING_COLUMNS = [
    "submitting_unit",
    "file_id",
    "file_name",
    "sheet",
    "source_row",
    "column_name",
    "record_key",
    "observed",
    "violates",
    "note",
]


@dataclass
class Finding:
    """One offending row (row scope) or one finding (table scope), as a unit reads it."""

    submitting_unit: str | None = None
    file_id: str | None = None
    file_name: str | None = None
    sheet: str | None = None
    source_row: int | None = None
    column_name: str | None = None
    record_key: str | None = None
    observed: str | None = None
    submitted_at: datetime | None = None
    note: str | None = None


@dataclass
class RuleOutcome:
    rule: Rule
    success: bool
    element_count: int
    unexpected_count: int
    offending_rows: list[dict] = field(default_factory=list)  # lineage of GX's unexpected rows
    findings: list[Finding] = field(default_factory=list)
    notes: list[Finding] = field(default_factory=list)  # info (e.g. 样本不足), never a failure

    @property
    def blocking(self) -> bool:
        """A failed fatal table-scope rule on a raw table blocks the downstream models."""
        return (
            not self.success
            and self.rule.is_fatal
            and self.rule.scope == "table"
            and not self.rule.is_mart_rule
        )

    @property
    def holds_back_rows(self) -> bool:
        """A failed fatal row-scope rule on a raw table holds its rows back from staging."""
        return (
            not self.success
            and self.rule.is_fatal
            and self.rule.scope == "row"
            and not self.rule.is_mart_rule
        )


@dataclass
class TableValidation:
    table: str
    rows: int
    outcomes: list[RuleOutcome]
    seconds: float = 0.0

    @property
    def fatal_failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success and o.rule.is_fatal]

    @property
    def warnings(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success and not o.rule.is_fatal]

    @property
    def blocking_failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if o.blocking]

    def excluded_rows(self) -> list[tuple[str, str, int, str]]:
        """(_file_id, _sheet, _source_row, rule_id) of every row a fatal row rule holds back."""
        out = []
        for o in self.outcomes:
            if o.holds_back_rows:
                out += [(f.file_id, f.sheet, f.source_row, o.rule.id) for f in o.findings]
        return out


# ------------------------------------------------------------------------------------------------------
# Relations for rule SQL
# ------------------------------------------------------------------------------------------------------


def _latest_sql(table: str) -> str:
    key = ", ".join(f'"{k}"' for k in load_contract().entity(table).natural_key)
    return (
        f"SELECT * EXCLUDE (_rk) FROM (SELECT *, row_number() OVER (PARTITION BY {key} "
        f"ORDER BY _revision DESC) AS _rk FROM {RAW}.{table}) WHERE _rk = 1"
    )


def prepare(con: duckdb.DuckDBPyConnection) -> None:
    """Create the temp relations every rule's SQL may use (idempotent, per connection)."""
    for table in entity_tables():
        con.execute(f"CREATE OR REPLACE TEMP TABLE cur_{table} AS {_latest_sql(table)}")
    for path in sorted(SEEDS_DIR.glob("*.csv")):
        con.execute(
            f"CREATE OR REPLACE TEMP VIEW seed_{path.stem} AS "
            f"SELECT * FROM read_csv('{path.as_posix()}', all_varchar = true, header = true)"
        )
    for name, sql in catalog_views().items():
        con.execute(f"CREATE OR REPLACE TEMP VIEW {name} AS {sql}")


def _key_match(table: str) -> str:
    return " AND ".join(
        f'c."{k}" IS NOT DISTINCT FROM o."{k}"' for k in load_contract().entity(table).natural_key
    )


def rule_sql(text: str, table: str) -> str:
    """Fill the catalog's placeholders for one table (plain replace: SQL regexes use braces)."""
    text = text.replace("{table}", table)
    if "{key_match}" in text:
        text = text.replace("{key_match}", _key_match(table))
    return text


def _violation_column(rule: Rule) -> str:
    return f"__violates_{rule.id.replace('-', '_')}"


def _observed_column(rule: Rule) -> str:
    return f"__observed_{rule.id.replace('-', '_')}"


def _base_relation(table: str) -> str:
    return table if is_mart(table) else f"cur_{table}"


def _key_expr(table: str) -> str:
    cols = mart_keys().get(table) if is_mart(table) else load_contract().entity(table).natural_key
    return " || ' / ' || ".join(f"coalesce(CAST(t.\"{c}\" AS VARCHAR), '')" for c in cols or [])


# ------------------------------------------------------------------------------------------------------
# Frames
# ------------------------------------------------------------------------------------------------------


def read_table(con: duckdb.DuckDBPyConnection, table: str, rules: list[Rule]) -> pd.DataFrame:
    """The table's current rows plus, per SQL rule, a violation flag and the observed value."""
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
                f"any_value(CAST(observed AS VARCHAR)) AS __o FROM ({rule_sql(r.check['query'], table)}) AS qq "
                f"GROUP BY 1, 2, 3) AS {alias} ON {alias}.__f = t._file_id "
                f"AND {alias}.__s IS NOT DISTINCT FROM t._sheet AND {alias}.__r = t._source_row"
            )
            selects.append(f'{alias}.__f IS NOT NULL AS "{flag}"')
            selects.append(f'{alias}.__o AS "{obs}"')
    key = _key_expr(table) or "NULL"
    extra = "".join(f", {s}" for s in selects)
    frame = con.execute(
        f"SELECT t.*, {key} AS __key{extra} FROM {_base_relation(table)} AS t {' '.join(joins)}"
    ).df()
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


def _py(value):
    """numpy/pandas scalars to plain Python; NaN/NaT to None."""
    if value is None:
        return None
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def _text(value) -> str | None:
    value = _py(value)
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


_TRAILING_ZEROS = re.compile(r"(?<![\d.])(\d+)\.(\d*?)0+(?!\d)")


def tidy(text: str | None) -> str | None:
    """'6504.8000' -> '6504.8', '380.0000' -> '380' (DECIMAL(18,4) printed as text)."""
    if text is None:
        return None
    return _TRAILING_ZEROS.sub(lambda m: m.group(1) + (f".{m.group(2)}" if m.group(2) else ""), text)


def _row_finding(rule: Rule, row: dict) -> Finding:
    observed = row.get(_observed_column(rule))
    if _py(observed) is None and rule.field:
        observed = row.get(rule.field)
    return Finding(
        submitting_unit=_text(row.get("_submitting_unit")),
        file_id=_text(row.get("_file_id")),
        file_name=_text(row.get("_source_file")),
        sheet=_text(row.get("_sheet")),
        source_row=_py(row.get("_source_row")),
        column_name=rule.field,
        record_key=_text(row.get("__key")),
        observed=tidy(_text(observed)),
        submitted_at=_py(row.get("_ingested_at")),
    )


def _table_finding(rule: Rule, row: dict) -> Finding:
    source_row = _py(row["source_row"])
    return Finding(
        submitting_unit=_text(row["submitting_unit"]),
        file_id=_text(row["file_id"]),
        file_name=_text(row["file_name"]),
        sheet=_text(row["sheet"]),
        source_row=int(source_row) if source_row is not None else None,
        column_name=_text(row["column_name"]) or rule.field,
        record_key=_text(row["record_key"]),
        observed=tidy(_text(row["observed"])),
        note=_text(row["note"]),
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
        index_list = [{k: _py(v) for k, v in d.items()} for d in detail.get("unexpected_index_list") or []]
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
                if _py(rec["note"]) is not None
            ]
        outcomes.append(
            RuleOutcome(
                rule=rule,
                success=bool(res.success),
                element_count=element_count,
                unexpected_count=int(detail.get("unexpected_count") or 0),
                offending_rows=[{c: _py(rec[c]) for c in ROW_ID_COLUMNS if c in rec} for rec in records],
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
    results = _run_suite(f"{table.replace('.', '_')}_findings", findings, rules, ["__rowid"])
    return _outcomes(results, rules, findings, table_scope=True)


def validate_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    rules: list[Rule] | None = None,
    prepared: bool = False,
) -> TableValidation:
    """Every catalog rule of one table (raw entity or mart), in catalog order."""
    started = time.perf_counter()
    if not prepared:
        prepare(con)
    rules = rules if rules is not None else rules_for(table)
    row_rules = [r for r in rules if r.scope == "row"]
    table_rules = [r for r in rules if r.scope == "table"]
    frame = read_table(con, table, row_rules)
    validation = validate_frame(table, frame, row_rules)
    validation.outcomes += validate_findings(table, read_findings(con, table, table_rules), table_rules)
    order = {r.id: i for i, r in enumerate(rules)}
    validation.outcomes.sort(key=lambda o: order[o.rule.id])
    validation.seconds = time.perf_counter() - started
    return validation
