"""Ingestion asset: the landing folder into the raw schema. Its asset keys are the dbt sources'
(raw/<table>), so ingestion and dbt form one lineage graph."""

from dagster import AssetExecutionContext, AssetKey, AssetSpec, MaterializeResult, MetadataValue, multi_asset

from xmdw.contract import load_contract
from xmdw.ingestion.batch import FileOutcome, ingest_landing
from xmdw.ingestion.store import LOG_TABLES, RAW
from xmdw.settings import configure_environment

RAW_TABLES = [e.table for e in load_contract().entities.values()] + list(LOG_TABLES)


def raw_key(table: str) -> AssetKey:
    return AssetKey([RAW, table])


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
def ingest_landing_asset(context: AssetExecutionContext):
    """Read every file in data/landing/, load it into raw.*, archive or quarantine it."""
    paths = configure_environment()

    def progress(done: int, total: int, outcome: FileOutcome) -> None:
        extra = f" — {outcome.reason.located_zh()}" if outcome.reason else ""
        context.log.info(
            f"[{done}/{total}] {outcome.file_name}: {outcome.status} rows={outcome.rows_loaded}{extra}"
        )

    batch = ingest_landing(paths, progress=progress, run_id=context.run_id[:12])
    by_entity = batch.rows_by_entity()
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
        yield MaterializeResult(asset_key=raw_key(table), metadata=metadata)
