"""`xmdw template`, `xmdw contract-render` and `xmdw prepare` — files made from the data contract and dbt."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from xmdw.cli.argparse_zh import add_command
from xmdw.core.paths import DataPaths


def cmd_template(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.ingestion.templates import write_templates

    for p in write_templates(Path(args.dir)):
        print(p)
    return 0


def cmd_contract_render(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.contract.render import render_all

    written = render_all()
    print(
        json.dumps([str(p) for p in written], ensure_ascii=False, indent=1)
        if written
        else "已是最新，无需重新生成"
    )
    return 0


def cmd_prepare(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.defs.pipeline import prepare_dbt

    print(f"dbt 清单已就绪：{prepare_dbt(force=args.force)}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    t = add_command(
        subparsers, "template", "生成空白台账模板（中文表头、单位行、示例行、下拉选项和数据校验）"
    )
    t.add_argument("dir", nargs="?", default="templates", metavar="目录", help="写入的目录（默认 templates）")
    t.set_defaults(func=cmd_template)

    c = add_command(
        subparsers, "contract-render", "修改数据契约后重新生成 dbt 源表与 staging 模型及文档（开发人员用）"
    )
    c.set_defaults(func=cmd_contract_render)

    pr = add_command(subparsers, "prepare", "准备 dbt 清单（dbt parse，开发人员用；make run 会自动执行）")
    pr.add_argument("--force", action="store_true", help="即使清单是最新的也重新生成")
    pr.set_defaults(func=cmd_prepare, needs_environment=True)  # dbt reads XMDW_WAREHOUSE, telemetry off
