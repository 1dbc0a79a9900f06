"""`xmdw demo` — write reproducible demo ledgers. The only module of xmdw that imports xmdw_demo (a tool,
not the product: see docs/architecture.md)."""

from __future__ import annotations

import argparse
from pathlib import Path

from xmdw.cli.argparse_zh import add_command
from xmdw.core.paths import DataPaths


def write_demo(
    paths: DataPaths, out: Path | None = None, scale: str = "county", seed: int = 2024, rate: float = 0.15
) -> None:
    """Generate the demo ledgers into `out` (default: the landing folder) and its manifest; say what was written."""
    from xmdw_demo import generate

    out = out or paths.landing
    summary = generate(out, scale=scale, seed=seed, imperfection_rate=rate)
    manifest = manifest_path(paths, out)
    manifest.parent.mkdir(parents=True, exist_ok=True)
    manifest.write_text(summary.to_json(), encoding="utf-8")
    rows = sum(summary.rows_by_entity.values())
    print(
        f"演示数据：{summary.files_written} 个文件、{rows} 行（{len(summary.rows_by_entity)} 种台账）→ {out}"
    )
    print(f"  其中故意注入的问题 {len(summary.injected)} 处，清单见 {manifest}")


def manifest_path(paths: DataPaths, out: Path) -> Path:
    """Beside the ledgers written to `--out DIR`; in the data folder when they go to the landing folder,
    where ingestion would take the JSON for a unit's submission and reject it."""
    if Path(out).resolve() == paths.landing.resolve():
        return paths.root / "demo_manifest.json"
    return Path(out) / "demo_manifest.json"


def cmd_demo(args: argparse.Namespace, paths: DataPaths) -> int:
    write_demo(paths, Path(args.out) if args.out else None, args.scale, args.seed, args.rate)
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    d = add_command(subparsers, "demo", "生成演示台账（每次相同，可复现），默认写入收件目录 data/landing")
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
    d.set_defaults(func=cmd_demo, needs_environment=True)
