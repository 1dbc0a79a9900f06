"""`xmdw` — the command line: demo data, the whole run, ingestion only, blank templates."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from xmdw.cli.argparse_zh import ChineseArgumentParser, relabel
from xmdw.core.paths import data_paths
from xmdw.core.runguard import add_wait_option, run_command
from xmdw.core.settings import configure_environment


def _warehouse_has_files() -> bool:
    import duckdb

    paths = data_paths()
    if not paths.warehouse.exists():
        return False
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute("SELECT count(*) FROM raw.ingest_log").fetchall()[0][0] > 0
    except duckdb.CatalogException:
        return False
    finally:
        con.close()


WAIT_HELP_ZH = "已有运行在进行时最多等待的秒数（默认一直等到它结束；0：立即退出，退出码 75）"


def report_month(text: str) -> str:
    """argparse type of --month: YYYY-MM."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"月份应为 YYYY-MM，如 2024-03（收到 {text!r}）")
    return text


def cmd_demo(args: argparse.Namespace) -> int:
    from xmdw_demo import generate

    paths = configure_environment()
    out = Path(args.out) if args.out else paths.landing
    summary = generate(out, scale=args.scale, seed=args.seed, imperfection_rate=args.rate)
    manifest = paths.root / "demo_manifest.json"
    manifest.write_text(summary.to_json(), encoding="utf-8")
    rows = sum(summary.rows_by_entity.values())
    print(
        f"演示数据：{summary.files_written} 个文件、{rows} 行（{len(summary.rows_by_entity)} 种台账）→ {out}"
    )
    print(f"  其中故意注入的问题 {len(summary.injected)} 处，清单见 {manifest}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from xmdw.defs.pipeline import run_period_reports, run_pipeline, session
    from xmdw.ingestion.batch import landing_files

    paths = configure_environment()
    if args.demo_if_empty and not landing_files(paths.landing) and not _warehouse_has_files():
        print("收件目录 landing/ 为空且从未载入过数据：先生成演示数据")
        cmd_demo(argparse.Namespace(out=None, scale="county", seed=2024, rate=0.15))
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


def cmd_ingest(args: argparse.Namespace) -> int:
    """Copy PATH's files into landing/ (if given) and run the ingestion asset and its checks."""
    from xmdw.defs.pipeline import run_pipeline
    from xmdw.ingestion.batch import landing_files

    paths = configure_environment()
    if args.path:
        src = Path(args.path)
        for f in landing_files(src):
            rel = f.relative_to(src) if src.is_dir() else Path(f.name)
            (paths.landing / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, paths.landing / rel)
    summary = run_pipeline("xmdw_ingest")
    print("\n".join(summary.lines(paths)))  # the run log's path is in the summary
    return summary.exit_code


def cmd_template(args: argparse.Namespace) -> int:
    from xmdw.ingestion.templates import write_templates

    for p in write_templates(Path(args.dir)):
        print(p)
    return 0


def cmd_contract_render(args: argparse.Namespace) -> int:
    from xmdw.contract.render import render_all

    written = render_all()
    print(
        json.dumps([str(p) for p in written], ensure_ascii=False, indent=1)
        if written
        else "已是最新，无需重新生成"
    )
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    from xmdw.defs.pipeline import prepare_dbt

    print(f"dbt 清单已就绪：{prepare_dbt(force=args.force)}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    # Help texts are Chinese (office staff read them); developers' terms follow in brackets.
    p = ChineseArgumentParser(
        prog="xmdw",
        description="项目数据仓库：各单位报送的台账 → 数据质量检查 → 专题表 → BI 发布与通报。\n"
        "用户手册见 docs/用户手册.md；每个命令的用法：xmdw 命令 --help",
    )
    sub = p.add_subparsers(dest="command", required=True, title="命令", metavar="命令", help="下列之一：")

    def command(name: str, text: str) -> argparse.ArgumentParser:
        return sub.add_parser(name, help=text, description=text)

    d = command("demo", "生成演示台账（每次相同，可复现），默认写入收件目录 data/landing")
    d.add_argument(
        "--scale",
        choices=["county", "province", "nation"],
        default="county",
        help="规模：县、省、全国（默认 county）",
    )
    d.add_argument("--seed", type=int, default=2024, metavar="N", help="随机种子（默认 2024）")
    d.add_argument(
        "--rate", type=float, default=0.15, metavar="比例", help="带有真实台账常见问题的文件比例（默认 0.15）"
    )
    d.add_argument("--out", metavar="目录", help="写入的目录（默认 data/landing）")
    d.set_defaults(func=cmd_demo)

    r = command(
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
    add_wait_option(r)  # one run at a time (xmdw.core.runguard)
    relabel(r, "wait", WAIT_HELP_ZH, metavar="秒数")

    i = command("ingest", "只读取台账并做数据质量检查（不构建、不发布），并更新数据质量报告和退回修改清单")
    i.add_argument(
        "path",
        nargs="?",
        metavar="路径",
        help="台账文件或目录：先复制到收件目录（默认只处理 data/landing 中已有的文件）",
    )
    i.set_defaults(func=cmd_ingest)
    add_wait_option(i)
    relabel(i, "wait", WAIT_HELP_ZH, metavar="秒数")

    t = command("template", "生成空白台账模板（中文表头、单位行、示例行、下拉选项和数据校验）")
    t.add_argument("dir", nargs="?", default="templates", metavar="目录", help="写入的目录（默认 templates）")
    t.set_defaults(func=cmd_template)

    c = command("contract-render", "修改数据契约后重新生成 dbt 源表与 staging 模型及文档（开发人员用）")
    c.set_defaults(func=cmd_contract_render)

    pr = command("prepare", "准备 dbt 清单（dbt parse，开发人员用；make run 会自动执行）")
    pr.add_argument("--force", action="store_true", help="即使清单是最新的也重新生成")
    pr.set_defaults(func=cmd_prepare)

    from xmdw.reports.cli import add_report_parser

    add_report_parser(sub)

    from xmdw.lineage.cli import add_lineage_parsers

    add_lineage_parsers(sub)  # explain, diff, versions (read-only: no run lock)

    sv = sub.add_parser("serve", help="报送页面：单位上传台账、查看回执和报送记录，调度页 (submission page)")
    sv.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；局域网访问用 0.0.0.0）")
    sv.add_argument("--port", type=int, default=8765, help="端口（默认 8765）")
    sv.set_defaults(func=cmd_serve)  # queues uploads in landing, never writes the warehouse: no run lock
    return p


def cmd_serve(args: argparse.Namespace) -> int:
    from xmdw.web import serve

    configure_environment()
    print(f"报送页面 submission page: http://{args.host}:{args.port}/  （Ctrl+C 停止）")
    serve(args.host, args.port)
    return 0


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(args)  # run lock for writing commands; disk full / busy as Chinese messages


if __name__ == "__main__":
    sys.exit(main())
