"""`xmdw serve` — the submission page for units and the 调度 view."""

from __future__ import annotations

import argparse

from xmdw.core.paths import DataPaths


def cmd_serve(args: argparse.Namespace, paths: DataPaths) -> int:
    from xmdw.web import serve

    print(f"报送页面 submission page: http://{args.host}:{args.port}/  （Ctrl+C 停止）")
    serve(paths, args.host, args.port)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    # no description: `xmdw serve --help` has always shown only the usage and the options
    sv = subparsers.add_parser(
        "serve", help="报送页面：单位上传台账、查看回执和报送记录，调度页 (submission page)"
    )
    sv.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1；局域网访问用 0.0.0.0）")
    sv.add_argument("--port", type=int, default=8765, help="端口（默认 8765）")
    # queues uploads in landing, never writes the warehouse: no run lock
    sv.set_defaults(func=cmd_serve, needs_environment=True)
