"""Pieces shared by every report format: the colours of statuses and chart series (one palette for HTML,
xlsx, PDF and charts), how a value reads as text on a page, and xlsx sheet names.

The HTML itself comes from the Jinja2 templates in templates/ (reports/templating.py)."""

from __future__ import annotations

import re
from datetime import date, datetime

import pandas as pd

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


def display(value) -> str:
    """A value as page text (the templates escape it): None/NaN empty, timestamps to the minute, 3.0 as 3."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return ""
    if isinstance(value, datetime | pd.Timestamp):
        return value.strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value)


def unique_sheet_name(name: str, used: set[str], reserved: tuple[str, ...] = ("汇总",)) -> str:
    """A valid xlsx sheet name (≤ 31 characters, no []:*?/\\), unique within `used` (which it updates)."""
    base = re.sub(r"[\[\]:*?/\\]", "_", name or "sheet")[:28] or "sheet"
    candidate, i = base, 2
    while candidate in used or candidate in reserved:
        candidate = f"{base[:26]}_{i}"
        i += 1
    used.add(candidate)
    return candidate
