"""The publish asset: after a build with no fatal failure, publish the marts for BI (data/serving/, and on a
PostgreSQL server the published schemas).

It depends on every mart and reference table, and the marts' dbt tests are blocking asset checks: when dbt
fails, a raw table's fatal rule blocks dbt, or a mart's test with severity error fails, this step does not run
and BI keeps reading the last good copy.
"""

from dagster import AssetExecutionContext, AssetKey, MaterializeResult, MetadataValue, asset

from xmdw.defs.dbt import xmdw_dbt_assets
from xmdw.defs.resources import WarehouseResource

PUBLISH_KEY = AssetKey(["serving", "xmdw"])
SERVED_SCHEMAS = ("marts", "ref")


@asset(
    key=PUBLISH_KEY,
    group_name="serving",
    deps=sorted((k for k in xmdw_dbt_assets.keys if k.path[0] in SERVED_SCHEMAS), key=str),
    kinds={"duckdb", "parquet"},
    description="供 BI 读取的发布副本 — the marts and reference tables published to data/serving/ "
    "(DuckDB file replaced atomically, Parquet per table, CSV/xlsx for Excel/WPS); see docs/bi.md",
)
def published_marts(context: AssetExecutionContext, warehouse: WarehouseResource) -> MaterializeResult:
    from xmdw.serving import publish_warehouse, serving_paths  # imported here: the webserver need not load it

    paths = warehouse.paths
    # DuckDB: the build file copied to data/serving/; PostgreSQL: build_marts/build_ref swapped in, in one
    # transaction, and the same files written from them (xmdw.serving.pg_publish)
    result = publish_warehouse(
        paths.warehouse, paths.serving, settings=warehouse.settings, run_id=context.run_id[:12]
    )
    served = serving_paths(paths.serving)
    context.log.info(
        f"published {len(result.tables)} tables to {result.duckdb_path} in {result.seconds:.1f} s"
    )
    return MaterializeResult(
        metadata={
            "duckdb": MetadataValue.path(str(result.duckdb_path)),
            "parquet": MetadataValue.path(str(served.parquet_current)),
            "excel": MetadataValue.path(str(result.xlsx_path or served.csv_dir)),
            "tables": MetadataValue.json(result.tables),
            "seconds": MetadataValue.float(round(result.seconds, 3)),
            "published_at": MetadataValue.text(result.published_at),
        }
    )
