"""Run the catalog's rules for one table with Great Expectations on a pandas DataFrame read from DuckDB.

GX's SQL datasource is broken on DuckDB (and would keep the file locked), so tables are read into
pandas first. `sql_violation` rules are evaluated by DuckDB as a boolean column and validated by GX
as "no row violates", so every rule still runs through one GX suite and one result format.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

import duckdb
import pandas as pd

from xmdw.contract import load_contract
from xmdw.ingestion.store import RAW
from xmdw.quality.catalog import Rule, rules_for

os.environ.setdefault("GX_ANALYTICS_ENABLED", "False")

# Lineage columns GX reports for every offending row.
ROW_ID_COLUMNS = ["_file_id", "_source_file", "_sheet", "_source_row", "_submitting_unit"]


@dataclass
class RuleOutcome:
    rule: Rule
    success: bool
    element_count: int
    unexpected_count: int
    offending_rows: list[dict] = field(default_factory=list)


@dataclass
class TableValidation:
    table: str
    rows: int
    outcomes: list[RuleOutcome]

    @property
    def fatal_failures(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success and o.rule.is_fatal]

    @property
    def warnings(self) -> list[RuleOutcome]:
        return [o for o in self.outcomes if not o.success and not o.rule.is_fatal]


def _violation_column(rule: Rule) -> str:
    return f"__violates_{rule.id.replace('-', '_')}"


def read_table(con: duckdb.DuckDBPyConnection, table: str, rules: list[Rule]) -> pd.DataFrame:
    """The latest revision of every natural key (what later layers use), plus one boolean per SQL rule."""
    key = ", ".join(f'"{k}"' for k in load_contract().entity(table).natural_key)
    flags = "".join(
        f', coalesce(({r.check["where"]}), false) AS "{_violation_column(r)}"'
        for r in rules
        if r.check["type"] == "sql_violation"
    )
    return con.execute(
        f"""
        SELECT *{flags} FROM (
            SELECT *, row_number() OVER (PARTITION BY {key} ORDER BY _revision DESC) AS _latest
            FROM {RAW}.{table}
        ) WHERE _latest = 1
        """
    ).df()


def _expectation(rule: Rule):
    import great_expectations as gx

    kwargs = {k: v for k, v in rule.check.items() if k != "type"}
    if rule.check["type"] == "sql_violation":
        return gx.expectations.ExpectColumnValuesToBeInSet(
            column=_violation_column(rule), value_set=[False], meta={"rule_id": rule.id}
        )
    class_name = "".join(part.capitalize() for part in rule.check["type"].split("_"))
    return getattr(gx.expectations, class_name)(**kwargs, meta={"rule_id": rule.id})


def validate_frame(table: str, frame: pd.DataFrame, rules: list[Rule] | None = None) -> TableValidation:
    """Validate a DataFrame against the table's rules with an ephemeral GX context."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    rules = rules if rules is not None else rules_for(table)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_def = (
        context.data_sources.add_pandas(name=f"xmdw_{table}")
        .add_dataframe_asset(name=table)
        .add_batch_definition_whole_dataframe("all_rows")
    )
    suite = context.suites.add(gx.ExpectationSuite(name=f"xmdw.{table}"))
    for rule in rules:
        suite.add_expectation(_expectation(rule))
    id_columns = [c for c in ROW_ID_COLUMNS if c in frame.columns]
    result = batch_def.get_batch(batch_parameters={"dataframe": frame}).validate(
        suite,
        result_format={"result_format": "COMPLETE", "unexpected_index_column_names": id_columns},
    )
    by_id = {r.id: r for r in rules}
    outcomes = []
    for res in result.results:
        rule = by_id[res.expectation_config.meta["rule_id"]]
        detail = res.result or {}
        outcomes.append(
            RuleOutcome(
                rule=rule,
                success=bool(res.success),
                element_count=int(detail.get("element_count") or len(frame)),
                unexpected_count=int(detail.get("unexpected_count") or 0),
                offending_rows=list(detail.get("unexpected_index_list") or []),
            )
        )
    return TableValidation(table, len(frame), outcomes)


def validate_table(con: duckdb.DuckDBPyConnection, table: str) -> TableValidation:
    rules = rules_for(table)
    return validate_frame(table, read_table(con, table, rules), rules)
