"""Great Expectations as Dagster asset checks on the raw tables (the marts are checked by dbt tests, which
dagster-dbt turns into asset checks of the dbt assets: one check system per layer).

**Raw tables** — one blocking check per raw table (`gx_<table>`), all evaluated in one step so that the
cross-table rules share one DuckDB session. The step validates every table, records the results
(`raw.dq_runs`, `raw.dq_rule_results`, `raw.dq_results`) and the rows fatal row-level rules hold back
(`raw.dq_excluded_rows`, read by staging). A fatal **table-level** finding that names a file holds that
file's rows back (WARN, like row holds: a region's marts never wait for another region's mistake, issue
10); one that names no file fails the table's check with severity ERROR: the check is blocking, so the
dbt models do not build and the marts keep their last good contents. Warnings give WARN and do not block.

Only two quality functions are called here (quality.catalog.raw_tables_with_rules, quality.results.validate),
so the rule engine can change behind them.
"""

from typing import TYPE_CHECKING

from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from xmdw.defs.ingest import raw_key
from xmdw.defs.resources import WarehouseResource
from xmdw.quality.catalog import raw_tables_with_rules
from xmdw.quality.results import validate

# Only a type (the validation is read through its attributes). No `from __future__ import annotations` here:
# Dagster checks the context parameter's annotation object.
if TYPE_CHECKING:
    from xmdw.quality.outcomes import TableValidation


def check_result(validation: "TableValidation", asset_key: AssetKey | None = None, name: str | None = None):
    """Dagster result of one table's validation: ERROR when a fatal table-level rule failed (blocks),
    WARN for held-back rows (fatal row-level rules) and warnings, passed when nothing failed."""
    failed = [o for o in validation.outcomes if not o.success]
    severity = AssetCheckSeverity.ERROR if validation.blocking_failures else AssetCheckSeverity.WARN
    metadata = {
        "rows_validated": MetadataValue.int(validation.rows),
        "rules_run": MetadataValue.int(len(validation.outcomes)),
        "blocking_failed": MetadataValue.json([o.rule.id for o in validation.blocking_failures]),
        "fatal_failed": MetadataValue.json([o.rule.id for o in validation.fatal_failures]),
        "warnings_failed": MetadataValue.json([o.rule.id for o in validation.warnings]),
        "rows_held_back": MetadataValue.int(validation.rows_held_back),  # counted in the engine
        "seconds": MetadataValue.float(round(validation.seconds, 3)),
        "failures": MetadataValue.md(
            "\n".join(
                f"- **{o.rule.id}** ({o.rule.severity}, {o.rule.scope}) {o.rule.title_zh}: "
                f"{o.unexpected_count} {'行' if o.rule.scope == 'row' else '项'}"
                + ("，暂扣不入库" if o.holds_back_rows else "")
                + ("，阻断发布" if o.blocking else "")
                for o in failed
            )
            or "无"
        ),
    }
    kwargs = {"asset_key": asset_key, "check_name": name} if asset_key is not None else {}
    return AssetCheckResult(passed=not failed, severity=severity, metadata=metadata, **kwargs)


RAW_CHECK_TABLES = raw_tables_with_rules()


@multi_asset_check(
    name="gx_raw_tables",
    specs=[
        AssetCheckSpec(
            name=f"gx_{t}",
            asset=raw_key(t),
            blocking=True,
            description=f"Great Expectations rules of expectations/rules/ for raw.{t}",
        )
        for t in RAW_CHECK_TABLES
    ],
    can_subset=False,
)
def gx_raw_tables(context: AssetCheckExecutionContext, warehouse: WarehouseResource):
    """Validate every raw table, record the results and held-back rows, report one check per table."""
    with warehouse.connection() as con:
        run = validate(con, run_id=context.run.run_id[:12], tables=RAW_CHECK_TABLES, stage="raw")
    context.log.info(
        f"data quality: {run.count('fatal')} fatal, {run.count('warning')} warnings, "
        f"{run.rows_held_back} rows held back, blocked: {run.blocked_tables or 'none'} ({run.seconds:.1f} s)"
    )
    for t in RAW_CHECK_TABLES:
        yield check_result(run.validation(t), raw_key(t), f"gx_{t}")


GX_CHECKS = [gx_raw_tables]
