"""Great Expectations as Dagster asset checks: one check per raw table with catalog rules.

A failing fatal rule fails the check with severity ERROR; the checks are blocking, so the dbt
models downstream do not build. Warnings fail with severity WARN and do not block.
"""

import duckdb
from dagster import AssetCheckResult, AssetChecksDefinition, AssetCheckSeverity, MetadataValue, asset_check

from xmdw.orchestration.ingest import raw_key
from xmdw.quality.catalog import load_rules
from xmdw.quality.gx_runner import TableValidation, validate_table
from xmdw.settings import configure_environment


def check_result(validation: TableValidation) -> AssetCheckResult:
    """Dagster result of one table's validation: ERROR on fatal failures, WARN on warnings only."""
    failed = [o for o in validation.outcomes if not o.success]
    severity = AssetCheckSeverity.ERROR if validation.fatal_failures else AssetCheckSeverity.WARN
    metadata = {
        "rows_validated": MetadataValue.int(validation.rows),
        "rules_run": MetadataValue.int(len(validation.outcomes)),
        "fatal_failed": MetadataValue.json([o.rule.id for o in validation.fatal_failures]),
        "warnings_failed": MetadataValue.json([o.rule.id for o in validation.warnings]),
        "failures": MetadataValue.md(
            "\n".join(
                f"- **{o.rule.id}** ({o.rule.severity}) {o.rule.title_zh}: {o.unexpected_count} 行"
                for o in failed
            )
            or "无"
        ),
    }
    return AssetCheckResult(passed=not failed, severity=severity, metadata=metadata)


def _make_check(table: str) -> AssetChecksDefinition:
    @asset_check(
        asset=raw_key(table),
        name=f"gx_{table}",
        blocking=True,
        description=f"Great Expectations rules of expectations/rules.yml for raw.{table}",
    )
    def _check() -> AssetCheckResult:
        paths = configure_environment()
        con = duckdb.connect(str(paths.warehouse), read_only=True)
        try:
            return check_result(validate_table(con, table))
        finally:
            con.close()

    return _check


GX_CHECKS = [_make_check(t) for t in sorted({r.table for r in load_rules()})]
