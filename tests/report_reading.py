"""Reading what the report tests check: mart rows, workbook sheets, HTML data values, PDF text, and the
comparison of a narrative paragraph's figures with the marts (tests/test_bulletin.py)."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook


def mart(warehouse: Path, sql: str, params: list) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def row_of(rows: list[list], first_cell_or_name: str) -> tuple[list, list]:
    """The header row of the first table whose header holds `first_cell_or_name`'s column, and the row
    whose cells contain the name."""
    header = next(r for r in rows if "区县" in r and "排名" in r)
    row = next(r for r in rows if first_cell_or_name in r)
    return header, row


def html_values(html: str, key: str) -> list[str]:
    return re.findall(rf'data-key="{re.escape(key)}" data-value="([^"]*)"', html)


def assert_narrative_equals_marts(n, expected: dict[str, object]) -> None:
    assert n.figures, "the paragraph prints figures"
    for key, value in n.figures.items():
        if key in ("snails_month_new_zh", "not_completed_zh", "forecast_missed_zh"):
            continue
        assert key in expected, f"{key} printed but not checked"
        want = expected[key]
        if isinstance(want, str):
            assert value == want, key
        else:
            assert float(value) == pytest.approx(float(want), abs=1e-6), key
        assert n.shown[key] in n.text, f"{key} = {n.shown[key]} not in the paragraph"


def pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    return "".join(page.extract_text() for page in PdfReader(str(path)).pages)
