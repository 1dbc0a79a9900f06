"""`python -m xmdw.serving [--warehouse W] [--serving-dir D] [--run-id R] [--tables-md]` (docs/bi.md).

Publishes the build warehouse (default <XMDW_DATA_DIR>/warehouse.duckdb) to <XMDW_DATA_DIR>/serving.
`--tables-md` prints the Markdown table of the marts and ref tables (from the dbt YAML) for docs/bi.md.
The parser lives here, with every other one; xmdw/serving/__main__.py only hands over to `main`.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xmdw.core.paths import DataPaths, data_paths


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m xmdw.serving", description="发布专题表 — publish the marts"
    )
    parser.add_argument("--warehouse", type=Path, default=None, help="build warehouse (default: data dir)")
    parser.add_argument("--serving-dir", type=Path, default=None, help="default: <data dir>/serving")
    parser.add_argument("--run-id", default=None)
    parser.add_argument("--tables-md", action="store_true", help="print the served tables as Markdown")
    return parser


def publish_command(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.serving import PublishError, publish_warehouse, serving_paths
    from xmdw.serving.catalog import tables_markdown

    if args.tables_md:
        print(tables_markdown())
        return 0
    serving_dir = serving_paths(args.serving_dir or paths.serving).root
    try:
        result = publish_warehouse(args.warehouse or paths.warehouse, serving_dir, run_id=args.run_id)
    except PublishError as e:
        print(f"发布失败 publish failed: {e}", file=sys.stderr)
        return 1
    print("\n".join(result.lines()))
    return 0


def main(argv: list[str] | None = None) -> int:
    return publish_command(build_parser().parse_args(argv), data_paths())


if __name__ == "__main__":
    sys.exit(main())
