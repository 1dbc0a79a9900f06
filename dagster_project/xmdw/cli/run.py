"""`xmdw run` and `xmdw ingest` — the commands that write the warehouse, one at a time (the run lock)."""

from __future__ import annotations

import argparse
import re
import shutil
from pathlib import Path

from xmdw.cli.argparse_zh import add_command
from xmdw.cli.demo import write_demo
from xmdw.core.paths import DataPaths

WAIT_HELP_ZH = "已有运行在进行时最多等待的秒数（默认一直等到它结束；0：立即退出，退出码 75）"


def report_month(text: str) -> str:
    """argparse type of --month: YYYY-MM."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"月份应为 YYYY-MM，如 2024-03（收到 {text!r}）")
    return text


def add_wait_option(parser: argparse.ArgumentParser) -> None:
    """`--wait 秒数` on a command that writes the warehouse; marks it as taking the run lock (main)."""
    parser.add_argument("--wait", type=float, default=None, metavar="秒数", help=WAIT_HELP_ZH)
    parser.set_defaults(takes_run_lock=True, needs_environment=True)


def _warehouse_has_files(paths: DataPaths) -> bool:
    from xmdw.warehouse.engine import engine_settings, warehouse_connection

    settings = engine_settings()
    if not settings.is_postgres and not paths.warehouse.exists():
        return False
    with warehouse_connection(paths.warehouse, settings, read_only=True) as con:
        # information_schema on both engines: no engine-specific "table not found" exception to catch
        (exists,) = con.execute(
            "SELECT count(*) FROM information_schema.tables WHERE table_schema = 'raw' "
            "AND table_name = 'ingest_log'"
        ).fetchone()
        return bool(exists) and con.execute("SELECT count(*) FROM raw.ingest_log").fetchone()[0] > 0


def cmd_run(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.defs.pipeline import run_period_reports, run_pipeline, session
    from xmdw.ingestion.batch import landing_files

    if args.demo_if_empty and not landing_files(paths.landing) and not _warehouse_has_files(paths):
        print("收件目录 landing/ 为空且从未载入过数据：先生成演示数据")
        write_demo(paths)
    with session(paths):  # one run log and one set of stage lines for the build and the reports
        if args.month:
            # what the monthly schedule runs: the refresh and that month's bulletin, in one run
            summary = run_pipeline("xmdw_monthly", partition_key=args.month)
        else:
            summary = run_pipeline()
            if summary.ok:  # the period reports read the published copy: only after a publish
                reports = run_period_reports()
                summary = summary.merge(reports) if reports else summary
    print("\n".join(summary.lines(paths)))
    return summary.exit_code


def cmd_ingest(args: argparse.Namespace, paths: DataPaths) -> int:
    """Copy PATH's files into landing/ (if given) and run the ingestion asset and its checks."""
    from xmdw.defs.pipeline import run_pipeline
    from xmdw.ingestion.batch import landing_files

    if args.path:
        src = Path(args.path)
        for f in landing_files(src):
            rel = f.relative_to(src) if src.is_dir() else Path(f.name)
            (paths.landing / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, paths.landing / rel)
    summary = run_pipeline("xmdw_ingest")
    print("\n".join(summary.lines(paths)))  # the run log's path is in the summary
    return summary.exit_code


def register_run(subparsers: argparse._SubParsersAction) -> None:
    r = add_command(
        subparsers,
        "run",
        "运行全流程：读取台账、数据质量检查、构建专题表、发布给 BI、数据质量报告，然后生成最新的月通报、季考核、年终评",
    )
    r.add_argument(
        "--demo-if-empty", action="store_true", help="从未载入过数据且收件目录为空时，先生成演示台账"
    )
    r.add_argument(
        "--month",
        type=report_month,
        metavar="YYYY-MM",
        help="按月通报计划运行：刷新数据并生成该月的月通报（与每月定时任务相同）；不指定时生成最新一期的各类报告",
    )
    r.set_defaults(func=cmd_run)
    add_wait_option(r)  # one run at a time: the run lock (xmdw.cli.main.dispatch)


def register_ingest(subparsers: argparse._SubParsersAction) -> None:
    i = add_command(
        subparsers, "ingest", "只读取台账并做数据质量检查（不构建、不发布），并更新数据质量报告和退回修改清单"
    )
    i.add_argument(
        "path",
        nargs="?",
        metavar="路径",
        help="台账文件或目录：先复制到收件目录（默认只处理 data/landing 中已有的文件）",
    )
    i.set_defaults(func=cmd_ingest)
    add_wait_option(i)
