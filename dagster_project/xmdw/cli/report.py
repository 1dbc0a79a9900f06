"""`xmdw report` — write the monthly bulletin, the quarterly scorecard or the year-end evaluation."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

from xmdw.cli.argparse_zh import add_command
from xmdw.core.paths import DataPaths

DATABASE_HELP = (
    "读取的 DuckDB 文件（默认：BI 发布副本，没有时用构建库；"
    "XMDW_ENGINE=postgres 时默认读数据库服务器上已发布的专题表）"
)


def default_database(paths: DataPaths) -> Path:
    """The published BI copy (data/serving/xmdw.duckdb) when it exists, else the build warehouse."""
    return paths.served_warehouse if paths.served_warehouse.exists() else paths.warehouse


def chosen_database(args: argparse.Namespace, paths: DataPaths) -> Path | None:
    """--database, or the default; None (after saying so) when the file does not exist. With
    XMDW_ENGINE=postgres the default is the server's published schemas, which the served copy's path names
    (xmdw.lineage.published): the reports read the server whether or not the copy was written yet."""
    from xmdw.warehouse.engine import engine_settings

    if not args.database and engine_settings().is_postgres:
        return paths.served_warehouse
    database = Path(args.database) if args.database else default_database(paths)
    if not database.exists():
        print(f"数据库不存在 — database not found: {database}")
        return None
    return database


def _quarter(value: str) -> tuple[int, int]:
    match = re.fullmatch(r"(\d{4})-?[Qq]([1-4])", value)
    if not match:
        raise argparse.ArgumentTypeError(f"季度格式应为 YYYY-Qn — quarter must be YYYY-Qn: {value!r}")
    return int(match.group(1)), int(match.group(2))


def cmd_report(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.reports.bulletin import (
        NoDataForPeriod,
        build_monthly_bulletin,
        build_quarterly_scorecard,
        build_year_end_evaluation,
        months_with_data,
    )

    database = chosen_database(args, paths)
    if database is None:
        return 2
    out = Path(args.out) if args.out else paths.reports
    try:
        if args.quarter:
            files = build_quarterly_scorecard(database, *args.quarter, out)
        elif args.year:
            files = build_year_end_evaluation(database, args.year, out)
        else:
            month = args.month or (months_with_data(database) or [None])[-1]
            if month is None:
                print("数据库中没有任何月份的数据 — no month with data in the database")
                return 1
            files = build_monthly_bulletin(database, month, out)
    except NoDataForPeriod as exc:
        print(exc)
        return 1
    for path in (files.xlsx, files.html, files.pdf, *files.docx):
        if path is not None:
            print(path)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    """`xmdw report --month YYYY-MM | --quarter YYYY-Qn | --year YYYY [--database] [--out]`."""
    p = add_command(
        subparsers, "report", "生成一期月通报、季考核或年终评（Excel、网页和 PDF，含数据库中的每个区县）"
    )
    period = p.add_mutually_exclusive_group()
    period.add_argument("--month", metavar="YYYY-MM", help="该月的月通报（默认：有数据的最近一个月）")
    period.add_argument("--quarter", type=_quarter, metavar="YYYY-Qn", help="该季度的季考核，如 2024-Q2")
    period.add_argument("--year", type=int, metavar="YYYY", help="该年度的年终评")
    p.add_argument("--database", metavar="文件", help=DATABASE_HELP)
    p.add_argument("--out", metavar="目录", help="输出目录（默认 data/reports）")
    p.set_defaults(func=cmd_report)
