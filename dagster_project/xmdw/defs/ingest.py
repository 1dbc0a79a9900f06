"""Ingestion asset: the landing folder into the raw schema. Its asset keys are the dbt sources'
(raw/<table>), so ingestion and dbt form one lineage graph."""

from typing import Any

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from xmdw.contract import load_contract
from xmdw.core.console import files_progress
from xmdw.defs.resources import WarehouseResource
from xmdw.ingestion.batch import FileOutcome, ingest_landing
from xmdw.warehouse.store import LOG_TABLES, RAW

LOG_EVERY = 100  # files between progress lines in the run log
RAW_TABLES = [e.table for e in load_contract().entities.values()] + list(LOG_TABLES)
# Ledgers reported per month (their rows carry year and month); the others describe the current state.
MONTHLY_LEDGERS = [
    e.table for e in load_contract().entities.values() if {"year", "month"} <= {c.name for c in e.columns}
]


def raw_key(table: str) -> AssetKey:
    return AssetKey([RAW, table])


def report_months_loaded(con: Any, run_id: str) -> list[str]:
    """Report months ('YYYY-MM') of the monthly-ledger rows this run loaded: the bulletins that a
    resubmission makes stale (see defs/sensors.py)."""
    months: set[str] = set()
    for table in MONTHLY_LEDGERS:
        months.update(
            r[0]
            for r in con.execute(
                # years have 4 digits (the contract's range): 'YYYY-MM' in SQL both engines accept
                f"""SELECT DISTINCT CAST(year AS VARCHAR) || '-' || lpad(CAST(month AS VARCHAR), 2, '0')
                FROM {RAW}.{table}
                WHERE _file_id IN (SELECT file_id FROM {RAW}.ingest_log
                                   WHERE run_id = ? AND status = 'accepted')""",
                [run_id],
            ).fetchall()
        )
    return sorted(months)


@multi_asset(
    name="ingest_landing",
    specs=[
        AssetSpec(
            raw_key(t),
            group_name="ingestion",
            description=f"raw.{t}: rows of the units' ledgers (append-only, with lineage)",
            kinds={"duckdb", "python"},
        )
        for t in RAW_TABLES
    ],
    can_subset=False,
)
def ingest_landing_asset(context: AssetExecutionContext, warehouse: WarehouseResource):
    """Read every file in data/landing/, load it into raw.*, archive or quarantine it."""
    paths = warehouse.paths

    def progress(done: int, total: int, outcome: FileOutcome) -> None:
        files_progress(done, total)  # 读取文件 n/N on the terminal of a headless run (xmdw.core.console)
        # One Dagster event per file cost ~20 s of a 2,800-file province batch (docs/benchmarks.md):
        # log each file with a problem, and otherwise a progress line every LOG_EVERY files.
        problem = outcome.reason is not None or outcome.rows_rejected or outcome.status != "accepted"
        if not (problem or done % LOG_EVERY == 0 or done == total):
            return
        extra = f" — {outcome.reason.located_zh()}" if outcome.reason else ""
        context.log.info(
            f"[{done}/{total}] {outcome.file_name}: {outcome.status} rows={outcome.rows_loaded}"
            f" rejected={outcome.rows_rejected}{extra}"
        )

    batch = ingest_landing(paths, progress=progress, run_id=context.run_id[:12], settings=warehouse.settings)
    by_entity = batch.rows_by_entity()
    months = []
    if batch.total("rows_loaded"):
        with warehouse.connection(read_only=True) as con:
            months = report_months_loaded(con, context.run_id[:12])
    summary = {
        "files_accepted": batch.count("accepted"),
        "files_quarantined": batch.count("quarantined"),
        "files_duplicate": batch.count("duplicate"),
        "rows_loaded": batch.total("rows_loaded"),
        "rows_rejected": batch.total("rows_rejected"),
        "rows_skipped": batch.total("rows_skipped"),
    }
    context.log.info(f"ingestion summary: {summary}")
    for table in RAW_TABLES:
        metadata = {"rows_loaded_this_run": MetadataValue.int(by_entity.get(table, 0))}
        if table == "ingest_log":
            metadata |= {k: MetadataValue.int(v) for k, v in summary.items()}
            metadata["report_months_loaded"] = MetadataValue.json(months)
            metadata["state_ledger_rows_loaded"] = MetadataValue.int(
                sum(n for t, n in by_entity.items() if t not in MONTHLY_LEDGERS)
            )
        yield MaterializeResult(asset_key=raw_key(table), metadata=metadata)
