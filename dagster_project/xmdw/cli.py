"""`xmdw` — the command line: demo data, the whole run, ingestion only, blank templates."""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
from pathlib import Path

from xmdw.paths import data_paths
from xmdw.runguard import add_wait_option, run_command
from xmdw.settings import configure_environment


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


def report_month(text: str) -> str:
    """argparse type of --month: YYYY-MM."""
    if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        raise argparse.ArgumentTypeError(f"月份应为 YYYY-MM，如 2024-03 / month must be YYYY-MM: {text!r}")
    return text


def cmd_demo(args: argparse.Namespace) -> int:
    from xmdw.demo import generate

    paths = configure_environment()
    out = Path(args.out) if args.out else paths.landing
    summary = generate(out, scale=args.scale, seed=args.seed, imperfection_rate=args.rate)
    manifest = paths.root / "demo_manifest.json"
    manifest.write_text(summary.to_json(), encoding="utf-8")
    print(f"演示数据 demo data: {summary.files_written} files → {out}")
    for entity, n in sorted(summary.rows_by_entity.items()):
        print(f"  {entity}: {n} rows")
    print(f"  injected problems 注入的问题: {len(summary.injected)} (see {manifest})")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from xmdw.ingestion.batch import landing_files
    from xmdw.pipeline import run_period_reports, run_pipeline

    paths = configure_environment()
    if args.demo_if_empty and not landing_files(paths.landing) and not _warehouse_has_files():
        print("landing/ 为空，生成演示数据 — landing folder empty: writing demo ledgers first")
        cmd_demo(argparse.Namespace(out=None, scale="county", seed=2024, rate=0.15))
    if args.month:
        # what the monthly schedule runs: the refresh and that month's bulletin, in one run
        summary = run_pipeline("xmdw_monthly", partition_key=args.month)
    else:
        summary = run_pipeline()
        if summary.success:
            reports = run_period_reports()
            summary = summary.merge(reports) if reports else summary
    print("\n".join(summary.lines(paths)))
    return summary.exit_code


def cmd_ingest(args: argparse.Namespace) -> int:
    """Copy PATH's files into landing/ (if given) and run the ingestion asset and its checks."""
    from xmdw.ingestion.batch import landing_files
    from xmdw.pipeline import run_pipeline

    paths = configure_environment()
    if args.path:
        src = Path(args.path)
        for f in landing_files(src):
            rel = f.relative_to(src) if src.is_dir() else Path(f.name)
            (paths.landing / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(f, paths.landing / rel)
    summary = run_pipeline("xmdw_ingest")
    print("\n".join(summary.lines(paths)))
    return summary.exit_code


def cmd_template(args: argparse.Namespace) -> int:
    from xmdw.templates import write_templates

    for p in write_templates(Path(args.dir)):
        print(p)
    return 0


def cmd_contract_render(args: argparse.Namespace) -> int:
    from xmdw.contract.render import render_all

    written = render_all()
    print(json.dumps([str(p) for p in written], ensure_ascii=False, indent=1) if written else "up to date")
    return 0


def cmd_prepare(args: argparse.Namespace) -> int:
    from xmdw.pipeline import prepare_dbt

    print(prepare_dbt(force=args.force))
    return 0


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="xmdw", description="项目数据仓库 — county investment-project warehouse")
    sub = p.add_subparsers(dest="command", required=True)

    d = sub.add_parser("demo", help="write demo landing files (deterministic)")
    d.add_argument("--scale", choices=["county", "province", "nation"], default="county")
    d.add_argument("--seed", type=int, default=2024)
    d.add_argument("--rate", type=float, default=0.15, help="share of files with real-world imperfections")
    d.add_argument("--out", help="folder (default: data/landing)")
    d.set_defaults(func=cmd_demo)

    r = sub.add_parser("run", help="run the whole pipeline headless through Dagster")
    r.add_argument(
        "--demo-if-empty", action="store_true", help="write demo files first if nothing was ever loaded"
    )
    r.add_argument(
        "--month",
        type=report_month,
        help="YYYY-MM: run what the monthly schedule runs (refresh + that month's bulletin); "
        "default: refresh, then the latest bulletin, scorecard and evaluation",
    )
    r.set_defaults(func=cmd_run)
    add_wait_option(r)  # one run at a time (xmdw.runguard)

    i = sub.add_parser("ingest", help="ingest files (PATH, default data/landing) and run their checks")
    i.add_argument("path", nargs="?")
    i.set_defaults(func=cmd_ingest)
    add_wait_option(i)

    t = sub.add_parser("template", help="write the blank ledger templates")
    t.add_argument("dir", nargs="?", default="templates")
    t.set_defaults(func=cmd_template)

    c = sub.add_parser("contract-render", help="regenerate dbt sources/staging and docs from the contract")
    c.set_defaults(func=cmd_contract_render)

    pr = sub.add_parser("prepare", help="prepare the dbt manifest (dbt parse) for Dagster")
    pr.add_argument("--force", action="store_true")
    pr.set_defaults(func=cmd_prepare)

    from xmdw.reports.cli import add_report_parser

    add_report_parser(sub)

    from xmdw.lineage.cli import add_lineage_parsers

    add_lineage_parsers(sub)  # explain, diff, versions (read-only: no run lock)
    return p


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_command(args)  # run lock for writing commands; disk full / busy as Chinese messages


if __name__ == "__main__":
    sys.exit(main())
