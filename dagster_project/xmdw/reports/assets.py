"""The data-quality report as a Dagster asset (group "reports").

It depends on the raw log tables only, which have no blocking checks, so it is written in every run —
above all in a run the checks blocked, when units most need it. Its low step priority makes the
in-process executor (one step at a time) run it after the checks, dbt and the mart checks.
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from xmdw.orchestration.ingest import raw_key
from xmdw.reports.dq_report import write_dq_report
from xmdw.settings import configure_environment

REPORT_KEY = AssetKey(["reports", "dq_report"])


@asset(
    key=REPORT_KEY,
    group_name="reports",
    deps=[raw_key(t) for t in ("ingest_log", "rejected_rows", "dq_runs", "dq_results")],
    op_tags={"dagster/priority": "-10"},
    kinds={"python", "excel", "html"},
    description="数据质量报告 (HTML, offline) and 退回修改清单 (xlsx, one sheet per unit) under data/reports/",
)
def dq_report(context: AssetExecutionContext) -> MaterializeResult:
    paths = configure_environment()
    files = write_dq_report(paths, run_id=context.run_id[:12])
    context.log.info(f"data-quality report: {files.html} · {files.xlsx} ({files.problems} problems)")
    return MaterializeResult(
        metadata={
            "html": MetadataValue.path(str(files.html)),
            "xlsx": MetadataValue.path(str(files.xlsx)),
            "dq_run_id": MetadataValue.text(files.run_id or ""),
            "problems_listed": MetadataValue.int(files.problems),
        }
    )
