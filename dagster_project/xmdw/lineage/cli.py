"""`xmdw explain`, `xmdw diff` and `xmdw versions` — trace a published figure, compare published versions."""

from __future__ import annotations

import argparse
from pathlib import Path

from xmdw.paths import data_paths


def _month(text: str) -> tuple[int, int]:
    from xmdw.reports.bulletin import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _serving_dir(args: argparse.Namespace) -> Path:
    return Path(args.serving_dir) if args.serving_dir else data_paths().serving


def cmd_explain(args: argparse.Namespace) -> int:
    from xmdw.lineage.explain import FigureNotFound, explain, list_figures, render_zh
    from xmdw.reports.cli import default_database

    database = Path(args.database) if args.database else default_database()
    if not database.exists():
        print(f"数据库不存在 — database not found: {database}")
        return 2
    year, month = args.month
    if args.list or not args.figure:
        for figure_id, label, value in list_figures(database, args.region, year, month):
            print(f"{figure_id}\t{label}\t{value}")
        return 0
    try:
        print(render_zh(explain(database, args.figure, args.region, year, month)))
    except FigureNotFound as exc:
        print(exc)
        return 1
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from xmdw.lineage.diff import bulletin_version, diff_versions, latest_version_id

    serving = _serving_dir(args)
    try:
        if args.month:
            old = args.old or bulletin_version(serving, *args.month)
            new = args.new or latest_version_id(serving)
        else:
            if not (args.old and args.new):
                print("请给出 --from 和 --to，或 --month YYYY-MM — give --from and --to, or --month")
                return 2
            old, new = args.old, args.new
        result = diff_versions(serving, old, new, month=args.month)
    except LookupError as exc:
        print(exc.args[0] if exc.args else exc)
        return 1
    print(result.text())
    return 0


def cmd_versions(args: argparse.Namespace) -> int:
    from xmdw.serving.versions import issued, keep_setting, list_versions

    serving = _serving_dir(args)
    pinned: dict[str, list[str]] = {}
    for stem, entry in issued(serving).items():
        pinned.setdefault(entry["version_id"], []).append(stem)
    versions = list_versions(serving)
    print(f"数据版本 {len(versions)} 个（保留最近 {keep_setting()} 个及已印发报告使用的版本）")
    for v in versions:
        info = v.info()
        rules = info.get("rules", {})
        line = (
            f"{v.version_id}  {v.published_at_cst}  输入文件 {info['inputs']['files']} 个  "
            f"规则 {rules.get('rules_run', 0)} 条（未通过 {rules.get('rules_failed', 0)}）"
        )
        if v.version_id in pinned:
            line += "  报告：" + "、".join(sorted(pinned[v.version_id]))
        print(line)
    return 0


def add_lineage_parsers(subparsers) -> None:
    """Register `explain`, `diff` and `versions`."""
    e = subparsers.add_parser(
        "explain", help="数字溯源: a published figure down to ledger file/sheet/row/revision"
    )
    e.add_argument(
        "figure", nargs="?", help="target id (ZB2024-037), region_completion, or rate/cohort/variant"
    )
    e.add_argument("--region", required=True, help="region code or name, e.g. 610728 or 镇巴县")
    e.add_argument("--month", required=True, type=_month, help="report month YYYY-MM")
    e.add_argument("--list", action="store_true", help="list the figures of the region and month")
    e.add_argument("--database", help="DuckDB file (default: serving copy, else warehouse)")
    e.set_defaults(func=cmd_explain)

    d = subparsers.add_parser("diff", help="which published figures changed between two versions, and why")
    d.add_argument(
        "--from", dest="old", help="older version id, e.g. v0003 (default with --month: the bulletin's)"
    )
    d.add_argument("--to", dest="new", help="newer version id (default with --month: the latest)")
    d.add_argument(
        "--month", type=_month, help="YYYY-MM: the figures of that month, against its bulletin's version"
    )
    d.add_argument("--serving-dir", help="serving folder (default: data/serving)")
    d.set_defaults(func=cmd_diff)

    v = subparsers.add_parser("versions", help="list the published data versions")
    v.add_argument("--serving-dir", help="serving folder (default: data/serving)")
    v.set_defaults(func=cmd_versions)
