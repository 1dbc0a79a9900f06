"""Report assets (group "reports"): the data-quality report, and the period reports (月通报, 季考核,
年终评) partitioned by report period.

The data-quality report depends on the raw log tables only, which have no blocking checks, so it is written in every run —
above all in a run the checks blocked, when units most need it. Its low step priority makes the
in-process executor (one step at a time) run it after the checks and dbt (whose tests check the marts).
"""

from collections.abc import Callable

from dagster import AssetExecutionContext, AssetKey, Failure, MaterializeResult, MetadataValue, asset

from xmdw.defs.ingest import raw_key
from xmdw.defs.partitions import MONTHLY, QUARTERLY, YEARLY, quarter_of
from xmdw.defs.publish import PUBLISH_KEY
from xmdw.defs.resources import WarehouseResource
from xmdw.reports.dq_report import write_dq_report

REPORT_KEY = AssetKey(["reports", "dq_report"])
BULLETIN_KEY = AssetKey(["reports", "monthly_bulletin"])
SCORECARD_KEY = AssetKey(["reports", "quarterly_scorecard"])
YEAR_END_KEY = AssetKey(["reports", "year_end_evaluation"])


@asset(
    key=REPORT_KEY,
    group_name="reports",
    deps=[raw_key(t) for t in ("ingest_log", "rejected_rows", "dq_runs", "dq_results")],
    op_tags={"dagster/priority": "-10"},
    kinds={"python", "excel", "html"},
    description="数据质量报告 (HTML, offline) and 退回修改清单 (xlsx, one sheet per unit) under data/reports/",
)
def dq_report(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    files = write_dq_report(warehouse.paths, run_id=context.run_id[:12])
    context.log.info(f"data-quality report: {files.html} · {files.xlsx} ({files.problems} problems)")
    return MaterializeResult(
        metadata={
            "html": MetadataValue.path(str(files.html)),
            "xlsx": MetadataValue.path(str(files.xlsx)),
            "dq_run_id": MetadataValue.text(files.run_id or ""),
            "problems_listed": MetadataValue.int(files.problems),
        }
    )


# --- 月通报 / 季考核 / 年终评: built from the published copy, one partition per period -------------


def _served_database(warehouse: WarehouseResource):
    paths = warehouse.paths
    if not paths.served_warehouse.exists():
        raise Failure(
            "尚无已发布的数据（data/serving/xmdw.duckdb 不存在）：请先成功运行一次完整构建。"
            " / Nothing published yet: run a successful build first."
        )
    return paths.served_warehouse, paths.reports


def _report_result(files) -> MaterializeResult:
    metadata = {"xlsx": MetadataValue.path(str(files.xlsx)), "html": MetadataValue.path(str(files.html))}
    if files.pdf:
        metadata["pdf"] = MetadataValue.path(str(files.pdf))
    for path in files.docx:  # 月通报: the Word 公文 of each region
        metadata[f"docx {path.stem}"] = MetadataValue.path(str(path))
    metadata["headline"] = MetadataValue.json(files.headline)
    return MaterializeResult(metadata=metadata)


def _build(warehouse: WarehouseResource, build: Callable[..., object], *args) -> MaterializeResult:
    """Build one report from the served copy; a period without data fails with the builder's message."""
    from xmdw.reports.bulletin import NoDataForPeriod

    database, out_dir = _served_database(warehouse)
    try:
        return _report_result(build(database, *args, out_dir))
    except NoDataForPeriod as exc:
        raise Failure(str(exc)) from exc


@asset(
    key=BULLETIN_KEY,
    group_name="reports",
    partitions_def=MONTHLY,
    deps=[PUBLISH_KEY],
    kinds={"excel", "html", "pdf"},
    description="月通报 — the monthly bulletin of a report month (xlsx with charts, offline HTML, PDF, a Word "
    "公文 per region), opening with a 文字通报 paragraph; every figure from the published marts",
)
def monthly_bulletin(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from xmdw.reports.bulletin import build_monthly_bulletin

    return _build(warehouse, build_monthly_bulletin, context.partition_key)


@asset(
    key=SCORECARD_KEY,
    group_name="reports",
    partitions_def=QUARTERLY,
    deps=[PUBLISH_KEY],
    kinds={"excel", "html", "pdf"},
    description="季考核 — the quarterly scorecard per lead unit (partition = the quarter's first month)",
)
def quarterly_scorecard(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from xmdw.reports.bulletin import build_quarterly_scorecard

    return _build(warehouse, build_quarterly_scorecard, *quarter_of(context.partition_key))


@asset(
    key=YEAR_END_KEY,
    group_name="reports",
    partitions_def=YEARLY,
    deps=[PUBLISH_KEY],
    kinds={"excel", "html", "pdf"},
    description="年终评 — the year-end evaluation summary of a plan year",
)
def year_end_evaluation(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from xmdw.reports.bulletin import build_year_end_evaluation

    return _build(warehouse, build_year_end_evaluation, int(context.partition_key))


PERIOD_REPORTS = [monthly_bulletin, quarterly_scorecard, year_end_evaluation]
