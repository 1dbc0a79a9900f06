"""Great Expectations as Dagster asset checks.

**Raw tables** — one blocking check per raw table (`gx_<table>`), all evaluated in one step so that the
cross-table rules share one DuckDB session. The step validates every table, records the results
(`raw.dq_runs`, `raw.dq_rule_results`, `raw.dq_results`) and the rows fatal row-level rules hold back
(`raw.dq_excluded_rows`, read by staging). A fatal **table-level** finding that names a file holds that
file's rows back (WARN, like row holds: a region's marts never wait for another region's mistake, issue
10); one that names no file fails the table's check with severity ERROR: the check is blocking, so the
dbt models do not build and the marts keep their last good contents. Warnings give WARN and do not block.

**Marts** — one check per mart with rules (`gx_mart_<model>`), run after dbt built it. A fatal mart
rule fails with ERROR and, the check being blocking, the build is not published: BI readers and the
bulletins keep the last good copy. Warnings never block.
"""

import duckdb
from dagster import (
    AssetCheckExecutionContext,
    AssetCheckResult,
    AssetCheckSeverity,
    AssetCheckSpec,
    AssetKey,
    MetadataValue,
    multi_asset_check,
)

from xmdw.core.paths import DBT_PROJECT_DIR
from xmdw.core.settings import configure_environment
from xmdw.defs.ingest import raw_key
from xmdw.quality.catalog import is_mart, mart_tables_with_rules, raw_tables_with_rules
from xmdw.quality.gx_runner import TableValidation
from xmdw.quality.results import existing_marts, validate


def check_result(validation: TableValidation, asset_key: AssetKey | None = None, name: str | None = None):
    """Dagster result of one table's validation: ERROR when a fatal table-level rule failed (blocks),
    WARN for held-back rows (fatal row-level rules) and warnings, passed when nothing failed."""
    failed = [o for o in validation.outcomes if not o.success]
    # raw tables: only a blocking (table-level) failure is an ERROR; marts: any fatal failure (blocks publishing)
    errors = validation.fatal_failures if is_mart(validation.table) else validation.blocking_failures
    severity = AssetCheckSeverity.ERROR if errors else AssetCheckSeverity.WARN
    held_back = {r[:3] for r in validation.excluded_rows()}
    metadata = {
        "rows_validated": MetadataValue.int(validation.rows),
        "rules_run": MetadataValue.int(len(validation.outcomes)),
        "blocking_failed": MetadataValue.json([o.rule.id for o in validation.blocking_failures]),
        "fatal_failed": MetadataValue.json([o.rule.id for o in validation.fatal_failures]),
        "warnings_failed": MetadataValue.json([o.rule.id for o in validation.warnings]),
        "rows_held_back": MetadataValue.int(len(held_back)),
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
            description=f"Great Expectations rules of expectations/rules.yml for raw.{t}",
        )
        for t in RAW_CHECK_TABLES
    ],
    can_subset=False,
)
def gx_raw_tables(context: AssetCheckExecutionContext):
    """Validate every raw table, record the results and held-back rows, report one check per table."""
    paths = configure_environment()
    con = duckdb.connect(str(paths.warehouse))
    try:
        run = validate(con, run_id=context.run.run_id[:12], tables=RAW_CHECK_TABLES, stage="raw")
    finally:
        con.close()
    context.log.info(
        f"data quality: {run.count('fatal')} fatal, {run.count('warning')} warnings, "
        f"{run.rows_held_back} rows held back, blocked: {run.blocked_tables or 'none'} ({run.seconds:.1f} s)"
    )
    for t in RAW_CHECK_TABLES:
        yield check_result(run.validation(t), raw_key(t), f"gx_{t}")


def mart_key(table: str) -> AssetKey:
    """marts.mart_x -> AssetKey(['marts', 'mart_x']) (the dbt asset key of the model)."""
    return AssetKey(table.split("."))


def _model_exists(table: str) -> bool:
    return any((DBT_PROJECT_DIR / "models").rglob(f"{table.split('.')[-1]}.sql"))


MART_CHECK_TABLES = [t for t in mart_tables_with_rules() if _model_exists(t)]


@multi_asset_check(
    name="gx_marts",
    specs=[
        AssetCheckSpec(
            name=f"gx_{t.split('.')[-1]}",
            asset=mart_key(t),
            # blocking: a fatal failure (ERROR) keeps this build from being published (serving/xmdw)
            blocking=True,
            description=f"Great Expectations rules of expectations/rules.yml for {t} (after it is built)",
        )
        for t in MART_CHECK_TABLES
    ],
    can_subset=True,
)
def gx_marts(context: AssetCheckExecutionContext):
    """Validate the built marts (bounds, completeness, reconciliation); a fatal failure blocks publishing."""
    selected = {key.name for key in context.selected_asset_check_keys}
    tables = [t for t in MART_CHECK_TABLES if f"gx_{t.split('.')[-1]}" in selected]
    paths = configure_environment()
    con = duckdb.connect(str(paths.warehouse))
    try:
        built = existing_marts(con)
        run = validate(
            con, run_id=context.run.run_id[:12], tables=[t for t in tables if t in built], stage="marts"
        )
    finally:
        con.close()
    for t in tables:
        name = f"gx_{t.split('.')[-1]}"
        if t in built:
            yield check_result(run.validation(t), mart_key(t), name)
        else:
            yield AssetCheckResult(
                asset_key=mart_key(t),
                check_name=name,
                passed=False,
                severity=AssetCheckSeverity.WARN,
                metadata={"reason": MetadataValue.text(f"{t} is not in the warehouse (not built)")},
            )


GX_CHECKS = [gx_raw_tables] + ([gx_marts] if MART_CHECK_TABLES else [])
