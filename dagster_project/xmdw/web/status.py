"""The 调度 view: every unit's status for the report month (已报 / 未报 / 退回), and the unit list.

Sources, all read-only: the page's receipts and the published marts, what BI reads (XMDW_ENGINE: the served
copy `data/serving/xmdw.duckdb`, or on PostgreSQL the server's published schemas `marts` and `ref`, in a
read-only session); never the build's warehouse or `build_*` schemas, which a running build holds. The report month before the 6th is the
previous calendar month in China Standard Time (the 月通报 of the 6th reports it).

A unit's status for month M:
- its latest upload for M (period M, or a ledger without a period uploaded in the reporting window, the
  month after M) decides: 已报 when it loads with no refused or held-back row, else 退回;
- without an upload, the published copy: progress of M for projects it leads (mart_project_progress,
  `reported_this_month`) counts as 已报 (a file dropped in the landing folder directly);
- else 未报.
"""

from __future__ import annotations

import contextlib
import csv
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

import duckdb

from xmdw.core.paths import SEEDS_DIR, DataPaths
from xmdw.warehouse.engine import EngineSettings, engine_settings, published_connection
from xmdw.warehouse.store import Connection, db_errors
from xmdw.web.receipts import CST, Receipt

STATUS_ORDER = {"退回": 0, "未报": 1, "已报": 2}


@dataclass
class UnitStatus:
    unit: str
    status: str  # 已报 | 未报 | 退回
    source: str  # what decided it, in Chinese
    latest: Receipt | None = None
    uploads: int = 0
    published_projects: int = 0  # projects led by the unit with progress of the month in the published copy
    warehouse: dict = field(default_factory=dict)  # the unit's line of the latest data-quality summary


def report_month(today: date | None = None) -> tuple[int, int]:
    """The month being reported: the previous calendar month (CST)."""
    today = today or datetime.now(CST).date()
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


def parse_month(text: str | None) -> tuple[int, int] | None:
    try:
        y, m = (int(x) for x in (text or "").split("-"))
    except ValueError:
        return None
    return (y, m) if 2000 <= y <= 2100 and 1 <= m <= 12 else None


def _open_errors(settings: EngineSettings) -> tuple[type[Exception], ...]:
    if settings.is_postgres:
        import psycopg2  # loaded only when the server is the engine

        return (psycopg2.Error,)
    return (duckdb.Error,)


@contextlib.contextmanager
def _published(paths: DataPaths) -> Iterator[Connection | None]:
    """The published marts, or None when nothing is published yet or they cannot be opened (the page
    still lists the units and their uploads)."""
    settings = engine_settings()
    if not settings.is_postgres and not paths.served_warehouse.exists():
        yield None
        return
    with contextlib.ExitStack() as stack:
        try:
            con = stack.enter_context(published_connection(paths.served_warehouse, settings))
        except _open_errors(settings):
            con = None
        yield con


def _query(con: Connection | None, sql: str, params: list | None = None) -> list[tuple]:
    if con is None:
        return []
    try:
        return con.execute(sql, params or []).fetchall()
    except db_errors(con):  # published before the table existed (or, on a server, not yet published)
        return []


def known_units(paths: DataPaths, receipts: list[Receipt] = ()) -> list[str]:
    """Units that submit, in the order of seeds/dim_unit.csv (departments, then towns, by region), then
    units only the published unit list or a receipt knows."""
    with (SEEDS_DIR / "dim_unit.csv").open(encoding="utf-8") as f:
        seeded = [row["unit_name_zh"] for row in csv.DictReader(f) if row.get("unit_name_zh")]
    with _published(paths) as con:
        published = [r[0] for r in _query(con, "SELECT DISTINCT unit_name_zh FROM ref.dim_unit ORDER BY 1")]
    return list(dict.fromkeys([*seeded, *published, *sorted({r.unit for r in receipts})]))


def _counts_for(receipt: Receipt, year: int, month: int) -> bool:
    if receipt.year is not None and receipt.month is not None:
        return (receipt.year, receipt.month) == (year, month)
    window = (year + 1, 1) if month == 12 else (year, month + 1)
    received = receipt.received_at.astimezone(CST)
    return (received.year, received.month) == window


def published_figures(paths: DataPaths, year: int, month: int) -> tuple[dict[str, int], dict[str, dict]]:
    """(lead unit -> projects with progress of the month, unit -> latest data-quality summary line)."""
    with _published(paths) as con:
        progress = _query(
            con,
            "SELECT lead_unit, count(DISTINCT project_id) FROM marts.mart_project_progress "
            "WHERE year = ? AND month = ? AND reported_this_month GROUP BY lead_unit",
            [year, month],
        )
        summary = _query(
            con,
            "SELECT submitting_unit, files_received, files_quarantined, rows_loaded, rows_rejected, "
            "fatal_findings, rows_held_back FROM marts.mart_data_quality_summary WHERE is_latest_run",
        )
    keys = ["files_received", "files_quarantined", "rows_loaded", "rows_rejected", "fatal_findings",
            "rows_held_back"]  # fmt: skip
    return (
        {u: int(n) for u, n in progress if u},
        {r[0]: dict(zip(keys, (int(x or 0) for x in r[1:]), strict=True)) for r in summary},
    )


def unit_statuses(paths: DataPaths, receipts: list[Receipt], year: int, month: int) -> list[UnitStatus]:
    """Every known unit with its status for the month: 退回 first, then 未报, then 已报 (the units' own
    order within each)."""
    progress, summary = published_figures(paths, year, month)
    out = []
    units = known_units(paths, receipts)
    for unit in units:
        mine = [r for r in receipts if r.unit == unit and _counts_for(r, year, month)]
        latest = mine[0] if mine else None  # receipts are newest first
        if latest is not None:
            status = "已报" if latest.verdict == "received" else "退回"
            source = f"{latest.received_zh} 网页上传，{latest.verdict_zh}"
        elif progress.get(unit):
            status, source = "已报", f"已发布数据中有本月进度（{progress[unit]} 个项目）"
        else:
            status, source = "未报", "本月尚无上传，已发布数据中也没有本月进度"
        out.append(
            UnitStatus(unit, status, source, latest, len(mine), progress.get(unit, 0), summary.get(unit, {}))
        )
    order = {u: i for i, u in enumerate(units)}
    return sorted(out, key=lambda s: (STATUS_ORDER[s.status], order[s.unit]))


def published_at(paths: DataPaths) -> str | None:
    """When the published copy was last replaced (CST), for the pages' footers."""
    path: Path = paths.served_warehouse
    if not path.exists():
        return None
    return datetime.fromtimestamp(path.stat().st_mtime, CST).strftime("%Y-%m-%d %H:%M")
