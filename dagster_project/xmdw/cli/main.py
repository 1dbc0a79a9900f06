"""`xmdw` — the one command line. Each command's parser and handler live in a module of this package
(demo, run, developer, report, lineage, serve); the domain packages below hold only functions.

The environment (data directory, dbt's and Dagster's variables, telemetry off, owner-only umask) is set up
here, once, for the commands that run the pipeline or write the data directory; every handler gets the
`DataPaths` as an argument: `handler(args, paths) -> exit code`.
"""

from __future__ import annotations

import argparse
import sys

from xmdw.cli import db, demo, developer, lineage, report, run, serve
from xmdw.cli.argparse_zh import ChineseArgumentParser
from xmdw.cli.local_server import ensure_local_server
from xmdw.core.paths import data_paths
from xmdw.core.runguard import run_guarded
from xmdw.core.runlock import run_lock
from xmdw.core.settings import configure_environment


def build_parser() -> argparse.ArgumentParser:
    # Help texts are Chinese (office staff read them); developers' terms follow in brackets.
    p = ChineseArgumentParser(
        prog="xmdw",
        description="项目数据仓库：各单位报送的台账 → 数据质量检查 → 专题表 → BI 发布与通报。\n"
        "用户手册见 docs/用户手册.md；每个命令的用法：xmdw 命令 --help",
    )
    sub = p.add_subparsers(dest="command", required=True, title="命令", metavar="命令", help="下列之一：")
    # in the order `xmdw --help` lists them
    for register in (
        demo.register,
        run.register_run,
        run.register_ingest,
        developer.register,  # template, contract-render, prepare
        report.register,
        lineage.register_explain,  # explain, diff, versions are read-only: no run lock
        lineage.register_diff,
        lineage.register_versions,
        serve.register,
        db.register,  # PostgreSQL: roles (init), the local server (stop-local)
    ):
        register(sub)
    return p


def dispatch(args: argparse.Namespace) -> int:
    """Set up the environment when the command needs it, then run it; a writing command under the run lock
    (`xmdw run` and `xmdw ingest` hold it for the whole command: the build and the period reports after it)."""
    if not getattr(args, "leaves_local_server", False):  # `db stop-local` must not start it first
        ensure_local_server(data_paths())  # XMDW_ENGINE=postgres without a DSN: this machine's server
    paths = configure_environment() if getattr(args, "needs_environment", False) else data_paths()
    if not getattr(args, "takes_run_lock", False):
        return args.func(args, paths)
    with run_lock(paths.run_lock, wait=args.wait):
        return args.func(args, paths)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return run_guarded(lambda: dispatch(args))  # disk full / a run in progress as Chinese messages


if __name__ == "__main__":
    sys.exit(main())
