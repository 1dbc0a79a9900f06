"""Pieces shared by the reports: offline HTML (inline CSS, no script, no external resource), value
escaping, plain HTML tables, xlsx sheet names and the colours of statuses.

Used by the data-quality report (`dq_report`) and the bulletins (`bulletin`, `document`).
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime
from pathlib import Path

import pandas as pd

from xmdw.core.atomic import write_text_atomic

# System CJK fonts first: the page must render offline on Windows, macOS and Linux desktops.
CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei","PingFang SC","WenQuanYi Micro Hei",
SimSun,sans-serif;margin:24px;color:#1f2933;background:#fff;font-size:14px;line-height:1.5}
h1{font-size:24px;margin:0 0 4px} h2{font-size:18px;margin:28px 0 8px;border-bottom:2px solid #d9e2ec;
padding-bottom:4px} h3{font-size:15px;margin:18px 0 6px}
.meta{color:#52606d} .banner{padding:10px 14px;border-radius:6px;margin:14px 0;font-weight:bold}
.ok{background:#e3f9e5;color:#0e5a1d} .bad{background:#ffe3e3;color:#8a1c1c} .warn{background:#fff3c4;color:#7c5e10}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:12px 0}
.card{border:1px solid #d9e2ec;border-radius:6px;padding:8px 14px;min-width:120px}
.card .n{font-size:22px;font-weight:bold} .card .l{color:#52606d;font-size:12px}
table{border-collapse:collapse;margin:6px 0 12px;width:100%} th,td{border:1px solid #d9e2ec;padding:4px 6px;
text-align:left;vertical-align:top} th{background:#f0f4f8} td.n{text-align:right;white-space:nowrap}
.fatal{color:#b42318;font-weight:bold} .warning{color:#9a6700} .up{color:#b42318} .down{color:#0e7a2e}
.small{font-size:12px;color:#52606d} details{margin:4px 0 10px} summary{cursor:pointer;font-weight:bold}
"""

# Status → (CSS class, fill colour, font colour): the one palette of every report format. Table cells use the
# fill with the font colour; chart bars of a status use the same fill with the font colour as outline, so a
# chart can never contradict its table (滞后 is yellow in both).
STATUS_STYLES: dict[str, tuple[str, str, str]] = {
    "完成": ("st-met", "#A9D18E", "#375623"),
    "达标": ("st-met", "#A9D18E", "#375623"),
    "按时完成": ("st-met", "#A9D18E", "#375623"),
    "正常": ("st-ok", "#9DC3E6", "#1F4E79"),
    "未到期": ("st-ok", "#9DC3E6", "#1F4E79"),
    "滞后": ("st-behind", "#FFD966", "#7F6000"),
    "临近": ("st-behind", "#FFD966", "#7F6000"),
    "逾期完成": ("st-behind", "#FFD966", "#7F6000"),
    "严重滞后": ("st-severe", "#F4B183", "#843C0C"),
    "未完成": ("st-fail", "#E06666", "#5B0F00"),
    "逾期": ("st-fail", "#E06666", "#5B0F00"),
    "无数据": ("st-none", "#D9D9D9", "#404040"),
    "无截止要求": ("st-none", "#D9D9D9", "#404040"),
}

# Colours of the series of non-status charts (e.g. 完成率 vs 序时进度), shared by SVG, xlsx and PDF.
SERIES_COLOURS = ["#2F6FAD", "#A5A5A5", "#ED7D31", "#70AD47", "#7030A0", "#264478"]


def status_colours(status: str) -> tuple[str, str]:
    """(fill, outline) of a status in charts: the table cell's fill and font colour."""
    _, fill, font = STATUS_STYLES.get(status, ("", "#D9D9D9", "#404040"))
    return fill, font


STATUS_CSS = "".join(
    f".{cls}{{background:{fill};color:{font};font-weight:bold}}"
    for cls, fill, font in {v[0]: v for v in STATUS_STYLES.values()}.values()
)


def esc(value) -> str:
    """A value as escaped HTML text: None/NaN empty, timestamps to the minute, 3.0 as 3."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, datetime | pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return html.escape(str(value))


def write_html(path: Path, text: str) -> Path:
    """An HTML report written to a temp file and renamed (xmdw.core.atomic): never a half-written page."""
    return write_text_atomic(path, text)


def html_table(headers: list[str], rows: list[list[str]], numeric: set[int] = frozenset()) -> str:
    """A plain table of already escaped cells; columns in `numeric` are right-aligned."""
    head = "".join(f"<th>{h}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f'<td class="n">{c}</td>' if i in numeric else f"<td>{c}</td>" for i, c in enumerate(r))
        + "</tr>"
        for r in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def unique_sheet_name(name: str, used: set[str], reserved: tuple[str, ...] = ("汇总",)) -> str:
    """A valid xlsx sheet name (≤ 31 characters, no []:*?/\\), unique within `used` (which it updates)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name or "sheet")[:28] or "sheet"
    candidate, i = base, 2
    while candidate in used or candidate in reserved:
        candidate = f"{base[:26]}_{i}"
        i += 1
    used.add(candidate)
    return candidate
