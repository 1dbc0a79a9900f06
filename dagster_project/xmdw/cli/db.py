"""`xmdw db init` (the roles of a PostgreSQL warehouse, docs/bi.md) and `xmdw db stop-local`."""

from __future__ import annotations

import argparse
import os
import sys

from xmdw.cli.argparse_zh import add_command
from xmdw.core.engine import DSN_ENV
from xmdw.core.paths import DataPaths

ADMIN_DSN_ENV = "XMDW_PG_ADMIN_DSN"


def admin_dsn(args: argparse.Namespace) -> str | None:
    """--admin-dsn, else XMDW_PG_ADMIN_DSN, else XMDW_PG_DSN (a local server's DSN is its superuser's)."""
    return args.admin_dsn or os.environ.get(ADMIN_DSN_ENV) or os.environ.get(DSN_ENV)


def cmd_db_init(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.serving.roles import BI_PASSWORD_ENV, BI_ROLE, init_roles

    dsn = admin_dsn(args)
    if not dsn:
        print(
            f"缺少管理员连接：请用 --admin-dsn 或环境变量 {ADMIN_DSN_ENV} 给出 postgresql://用户:密码@主机:端口/库",
            file=sys.stderr,
        )
        return 2
    try:
        report = init_roles(dsn, pipeline_user=args.pipeline_user)
    except Exception as e:  # a wrong DSN, missing rights: the operator reads why, in Chinese
        print(f"数据库角色初始化失败，未做任何改动：{e}", file=sys.stderr)
        return 1
    print(f"数据库 {report.database} 的角色与权限已就绪：")
    for line in report.lines:
        print(f"  {line}")
    if report.bi_password:
        print(
            f"\nBI 只读账号 {BI_ROLE} 的密码（只显示这一次，请妥善保存；"
            f"以后可设环境变量 {BI_PASSWORD_ENV} 后重新运行本命令来更换）：\n  {report.bi_password}"
        )
    return 0


def cmd_db_stop_local(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.cli.local_server import cluster_folder, stop_local_server

    if stop_local_server(paths):
        print(f"本机 PostgreSQL 服务器已停止（{cluster_folder(paths)}）")
    else:
        print("本机没有本数据目录的 PostgreSQL 服务器")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    db = add_command(
        subparsers, "db", "PostgreSQL 数仓的管理：角色与权限（init）、停止本机服务器（stop-local）"
    )
    sub = db.add_subparsers(dest="db_command", required=True, title="子命令", metavar="子命令")
    init = add_command(
        sub,
        "init",
        "创建数仓角色（可重复执行）：xmdw_owner 拥有各 schema，xmdw_bi 只能读取 marts 与 ref",
    )
    init.add_argument(
        "--admin-dsn", metavar="DSN", help=f"管理员连接（默认环境变量 {ADMIN_DSN_ENV}，其次 {DSN_ENV}）"
    )
    init.add_argument(
        "--pipeline-user", metavar="登录名", help=f"流水线使用的登录名（默认取 {DSN_ENV} 中的用户）"
    )
    init.set_defaults(func=cmd_db_init)
    stop = add_command(sub, "stop-local", "停止本数据目录的本机 PostgreSQL 服务器")
    stop.set_defaults(func=cmd_db_stop_local, leaves_local_server=True)
