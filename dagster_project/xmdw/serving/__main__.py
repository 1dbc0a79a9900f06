"""`python -m xmdw.serving [--warehouse W] [--serving-dir D] [--run-id R] [--tables-md]`.

Publishes the build warehouse (default <XMDW_DATA_DIR>/warehouse.duckdb) to <XMDW_DATA_DIR>/serving.
`--tables-md` prints the Markdown table of the marts and ref tables (from the dbt YAML) for docs/bi.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from xmdw.core.paths import data_paths


def tables_markdown(max_chars: int = 160) -> str:
    """One Markdown line per mart and seed described in the dbt YAML (the served tables, for docs/bi.md)."""
    from xmdw.core.paths import DBT_PROJECT_DIR, SEEDS_DIR
    from xmdw.serving.catalog import load_descriptions

    lines = ["| 表 table | 说明 description |", "| --- | --- |"]
    for schema, folder in (("marts", DBT_PROJECT_DIR / "models" / "marts"), ("ref", SEEDS_DIR)):
        for name, doc in sorted(load_descriptions((folder,)).items()):
            text = doc.description.replace("|", "/")
            if len(text) > max_chars:
                text = text[: max_chars - 1].rstrip() + "…"
            lines.append(f"| `{schema}.{name}` | {text} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from xmdw.serving import PublishError, publish, serving_paths

    parser = argparse.ArgumentParser(
        prog="python -m xmdw.serving", description="发布专题表 — publish the marts"
    )
    parser.add_argument("--warehouse", type=Path, default=None, help="build warehouse (default: data dir)")
    parser.add_argument("--serving-dir", type=Path, default=None, help="default: <data dir>/serving")
    parser.add_argument("--run-id", default=None)
    parser.add_argument("--tables-md", action="store_true", help="print the served tables as Markdown")
    args = parser.parse_args(argv)
    if args.tables_md:
        print(tables_markdown())
        return 0
    serving_dir = serving_paths(args.serving_dir).root
    try:
        result = publish(args.warehouse or data_paths().warehouse, serving_dir, run_id=args.run_id)
    except PublishError as e:
        print(f"发布失败 publish failed: {e}", file=sys.stderr)
        return 1
    print("\n".join(result.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
