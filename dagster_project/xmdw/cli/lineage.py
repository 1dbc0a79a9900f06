"""`xmdw explain`, `xmdw diff` and `xmdw versions` — trace a published figure, compare published versions.

Read-only: no run lock, no environment set up (a reader must work while a build runs)."""

from __future__ import annotations

import argparse
from pathlib import Path

from xmdw.cli.argparse_zh import add_command
from xmdw.cli.report import DATABASE_HELP, chosen_database
from xmdw.core.paths import DataPaths


def _month(text: str) -> tuple[int, int]:
    from xmdw.reports.bulletin import parse_month

    try:
        return parse_month(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from exc


def _serving_dir(args: argparse.Namespace, paths: DataPaths) -> Path:
    return Path(args.serving_dir) if args.serving_dir else paths.serving


def cmd_explain(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.lineage.explain import FigureNotFound, explain, list_figures, render_zh

    database = chosen_database(args, paths)
    if database is None:
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


def cmd_diff(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.lineage.diff import bulletin_version, diff_versions, latest_version_id

    serving = _serving_dir(args, paths)
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


def cmd_versions(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.serving.versions import issued, keep_setting, list_versions

    serving = _serving_dir(args, paths)
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


def register_explain(subparsers: argparse._SubParsersAction) -> None:
    e = add_command(
        subparsers, "explain", "数字溯源：一个已发布的数字由哪些台账文件、工作表、行和修订版本算出"
    )
    e.add_argument(
        "figure",
        nargs="?",
        metavar="数字",
        help="目标编号（如 ZB2024-037）、region_completion（区县计划投资完成率），或 率/口径/算法",
    )
    e.add_argument("--region", required=True, metavar="区县", help="区划代码或名称，如 610728 或 镇巴县")
    e.add_argument("--month", required=True, type=_month, metavar="YYYY-MM", help="报告月份")
    e.add_argument("--list", action="store_true", help="列出该区县该月的全部数字")
    e.add_argument("--database", metavar="文件", help=DATABASE_HELP)
    e.set_defaults(func=cmd_explain)


def register_diff(subparsers: argparse._SubParsersAction) -> None:
    d = add_command(subparsers, "diff", "比较两个数据版本：哪些已发布的数字变了、为什么变")
    d.add_argument(
        "--from",
        dest="old",
        metavar="版本",
        help="较早的版本号，如 v0003（配合 --month 时默认为该月通报所用的版本）",
    )
    d.add_argument("--to", dest="new", metavar="版本", help="较新的版本号（配合 --month 时默认为最新版本）")
    d.add_argument("--month", type=_month, metavar="YYYY-MM", help="只比较该月的数字，对照该月通报所用的版本")
    d.add_argument("--serving-dir", metavar="目录", help="发布目录（默认 data/serving）")
    d.set_defaults(func=cmd_diff)


def register_versions(subparsers: argparse._SubParsersAction) -> None:
    v = add_command(subparsers, "versions", "列出已发布的数据版本")
    v.add_argument("--serving-dir", metavar="目录", help="发布目录（默认 data/serving）")
    v.set_defaults(func=cmd_versions)
