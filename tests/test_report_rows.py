"""How the period reports turn mart rows into Python values and pages, on small hand-made frames (no
warehouse): `records` gives what pandas' to_dict("records") gives with None for missing values, a region's
rows come back in the frame's order, and a 数字溯源 page escapes ledger text and right-aligns its numbers."""

from __future__ import annotations

import re

import pandas as pd

from xmdw.reports.blocks import region_row, region_rows
from xmdw.reports.breakdown import region_page
from xmdw.reports.values import is_missing, records


def _mixed() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region_code": ["610728", "511902", "610728"],
            "n": pd.array([1, None, 3], dtype="Int32"),
            "i": [1, 2, 3],
            "x": [1.5, float("nan"), 2.0],
            "ok": pd.array([True, None, False], dtype="boolean"),
            "flag": [True, False, True],
            "name": ["镇巴", None, "巴州"],
            "at": pd.to_datetime(["2024-12-01 08:30", None, "2024-11-30 00:00"]),
        }
    )


def test_records_are_to_dicts_values_with_none_for_missing():
    frame = _mixed()
    expected = [{k: (None if is_missing(v) else v) for k, v in r.items()} for r in frame.to_dict("records")]
    got = records(frame)
    assert got == expected
    assert [[type(v) for v in r.values()] for r in got] == [[type(v) for v in r.values()] for r in expected]
    assert got[1] == {"region_code": "511902", "n": None, "i": 2, "x": None, "ok": None, "flag": False,
                      "name": None, "at": None}  # fmt: skip
    assert records(frame.iloc[0:0]) == []


def test_region_rows_keep_the_frames_order_and_columns():
    frame = _mixed()
    assert region_rows(frame, "610728")["i"].tolist() == [1, 3]
    assert region_rows(frame, "610728").equals(frame[frame["region_code"] == "610728"])
    assert region_row(frame, "511902")["i"] == 2
    none = region_rows(frame, "000000")
    assert none.empty and list(none.columns) == list(frame.columns)
    other = frame.assign(i=[7, 8, 9])  # another frame: its own rows, never the first frame's
    assert region_rows(other, "610728")["i"].tolist() == [7, 9]


def test_a_breakdown_page_escapes_ledger_text_and_right_aligns_numbers():
    figures = pd.DataFrame(
        [
            {
                "figure_kind": "region_completion",
                "figure_id": "region_completion",
                "region_code": "610728",
                "label_zh": "计划投资完成率",
                "value": 0.5,
                "unit": "ratio",
                "numerator": 1.0,
                "denominator": 2.0,
                "reconciles": True,
            }
        ]  # fmt: skip
    )
    source = {"figure_kind": "region_completion", "figure_id": "region_completion", "region_code": "610728",
              "member_name": "<b>A&B</b>", "member_id": "P1", "numerator_part": 1.25, "denominator_part": None,
              "value_part": None, "source_field_zh": "本年累计", "source_value": "1.25",
              "source_entity": "monthly_progress", "source_file": "县发改局_12月.xlsx", "source_sheet": "Sheet1",
              "source_row": 7, "revision": 2, "submitting_unit": "县发改局"}  # fmt: skip
    page = region_page("溯源", "月通报.html", figures, pd.DataFrame([source, source | {"member_id": "P2"}]))
    rows = re.findall(r"<tr>(<td.*?)</tr>", page)
    assert len(rows) == 2 and "构成对象 2 个，来源行 2 行" in page
    cells = re.findall(r"<td( class=\"n\")?>(.*?)</td>", rows[0])
    assert cells[0] == ("", "&lt;b&gt;A&amp;B&lt;/b&gt;（P1）")  # ledger text never becomes markup
    assert cells[1] == (' class="n"', "1.25") and cells[2] == (' class="n"', "")
    assert cells[6] == ("", "月度投资进度台账") and cells[9] == (' class="n"', "7")
    assert cells[10] == (' class="n"', "2") and cells[11] == ("", "县发改局")
    assert "<b>" not in page
