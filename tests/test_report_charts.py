"""One chart spec rendered by every format, and the report templates, on small hand-made rows (no warehouse):
the spec holds the mart values and their labels once; the SVG, the native xlsx chart and reportlab's PDF chart
show the same categories, values, labels, legend and colours."""

from __future__ import annotations

import fnmatch
import re
import tomllib
import zipfile
from pathlib import Path

import pytest
from pypdf import PdfReader

from xmdw.reports.chart_spec import bar_chart
from xmdw.reports.chart_svg import layout, text_width, to_svg
from xmdw.reports.document import Col, Document, Part, Table, render_html
from xmdw.reports.render import SERIES_COLOURS, STATUS_STYLES
from xmdw.reports.templating import TEMPLATES
from xmdw.reports.xlsx_out import write_xlsx

STATUSES = ("完成", "未完成", "滞后")
CARD_COLS = [Col("unit", "牵头单位"), Col("owned", "牵头目标数", "int")] + [
    Col(s, s, "int") for s in STATUSES
]
# totals deliberately differ from the sum of the segments: the chart prints the mart's total, never a sum
CARD_ROWS = [
    {"unit": "县发改局", "owned": 9, "完成": 3, "未完成": 1, "滞后": 4},
    {"unit": "县农业农村局", "owned": 2, "完成": 0, "未完成": 0, "滞后": 1},
]
RATE_COLS = [Col("name", "区县"), Col("ratio", "计划投资完成率", "ratio"), Col("pace", "序时进度", "ratio")]
RATE_ROWS = [
    {"name": "镇巴县", "ratio": 0.4567, "pace": 0.5},
    {"name": "巴州区", "ratio": 1.2346, "pace": 0.5},
]


def _scorecard():
    return bar_chart(
        "各牵头单位目标状态", CARD_COLS, CARD_ROWS, "unit", STATUSES, ratio=False, stacked=True,
        series_status=STATUSES, total="owned",
    )  # fmt: skip


def _rates():
    return bar_chart("完成率与序时进度", RATE_COLS, RATE_ROWS, "name", ("ratio", "pace"))


def test_the_spec_holds_the_values_labels_and_palette_once():
    spec = _scorecard()
    assert spec.kind == "bar" and spec.stacked and spec.categories == ("县发改局", "县农业农村局")
    assert [s.name for s in spec.series] == list(STATUSES), "legend = the table's column headers"
    assert spec.series[0].values == (3.0, 0.0) and spec.series[2].labels == ("4", "1")
    assert [(s.fill, s.stroke) for s in spec.series] == [STATUS_STYLES[s][1:] for s in STATUSES]
    assert spec.totals == ("9", "2") and spec.axis_max == 8.0  # the longest stack
    rates = _rates()
    assert rates.unit == "ratio" and rates.series[0].labels == ("45.7%", "123.5%")
    assert [s.fill for s in rates.series] == SERIES_COLOURS[:2]
    assert rates.axis_max == pytest.approx(1.2346)
    assert bar_chart("t", RATE_COLS, [], "name", ("ratio",)) is None, "no rows, no chart"
    column = bar_chart("四个一批", [Col("s", "阶段"), Col("n", "项目数", "int")], [{"s": "a", "n": 3}], "s", ("n",),
                       ratio=False, horizontal=False)  # fmt: skip
    assert column.kind == "column" and column.unit == "int" and column.axis_max == 3.0


def test_svg_prints_every_label_and_wraps_its_legend():
    cols = [Col("name", "单位")] + [Col(f"v{i}", f"很长很长的图例名称{i}", "ratio") for i in range(6)]
    rows = [{"name": "县发改局"} | {f"v{i}": 0.1 * (i + 1) for i in range(6)}]
    drawn = layout(bar_chart("图", cols, rows, "name", tuple(f"v{i}" for i in range(6))))
    legend = drawn.labels[-6:]
    assert len({lab.y for lab in legend}) > 1, "the legend wraps onto a second row"
    assert all(lab.x + text_width(lab.text, lab.size) <= drawn.width for lab in legend)
    assert [lab.text for lab in drawn.labels if lab.text.endswith("%")] == [
        f"{10 * (i + 1)}.0%" for i in range(6)
    ]
    svg = str(to_svg(_scorecard()))
    for status in STATUSES:  # bars in the table cell's fill, outlined in its font colour; legend names
        _, fill, font = STATUS_STYLES[status]
        assert f'fill="{fill}" stroke="{font}"' in svg and f">{status}</text>" in svg
    assert ">9</text>" in svg and ">2</text>" in svg, "each stack ends with the mart's total"
    hostile = bar_chart(
        "<b>图</b>", RATE_COLS, [{"name": "<script>x</script>", "ratio": 0.5}], "name", ("ratio",)
    )
    assert "<script>" not in str(to_svg(hostile)) and "&lt;b&gt;图" in str(to_svg(hostile))


def _document(*tables: Table) -> Document:
    return Document(
        "月通报", "副标题", "月通报_2024-06", [Part("镇巴县", "镇巴县", list(tables), anchor="r1")]
    )


def test_pdf_chart_is_reportlabs_bar_chart_with_the_specs_labels(tmp_path: Path):
    from reportlab.graphics.charts.barcharts import HorizontalBarChart, VerticalBarChart

    from xmdw.reports.pdf_charts import chart_drawing, fitting
    from xmdw.reports.pdf_out import FONT, write_pdf

    def charts_in(drawing):
        return [
            n for n in drawing.contents[0].contents if isinstance(n, HorizontalBarChart | VerticalBarChart)
        ]

    assert len(charts_in(chart_drawing(_rates(), 700, FONT))) == 1
    column = bar_chart("四个一批项目数", [Col("s", "阶段"), Col("n", "项目数", "int")],
                       [{"s": "签约一批", "n": 3}], "s", ("n",), ratio=False, horizontal=False)  # fmt: skip
    assert isinstance(charts_in(chart_drawing(column, 700, FONT))[0], VerticalBarChart)
    many = [{"unit": f"单位{i:03d}", "owned": 1, "完成": 1, "未完成": 0, "滞后": 0} for i in range(100)]
    tables = [
        Table("考核", CARD_COLS, CARD_ROWS, chart=_scorecard()),
        Table("完成率", RATE_COLS, RATE_ROWS, chart=_rates()),
        Table("多", CARD_COLS, many, chart=bar_chart("多单位", CARD_COLS, many, "unit", STATUSES, ratio=False,
                                                     stacked=True, total="owned")),
    ]  # fmt: skip
    pdf = write_pdf(_document(*tables), tmp_path / "x.pdf")
    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    chart = text.split("完成率与序时进度")[1].split("区县")[0]
    for label in ("45.7%", "123.5%", "50.0%", "镇巴县", "巴州区", "计划投资完成率", "序时进度"):
        assert label in chart, label
    scorecard = text.split("各牵头单位目标状态")[1]
    assert all(s in scorecard for s in STATUSES) and "县农业农村局" in scorecard
    shown = len(fitting(tables[2].chart, 420).categories)
    assert 10 < shown < 100 and f"图中列出前{shown}项，共100项见下表。" in text


def test_xlsx_chart_is_native_with_the_specs_series_colours_and_formats(tmp_path: Path):
    xlsx = write_xlsx(
        _document(Table("考核", CARD_COLS, CARD_ROWS, chart=_scorecard()), Table("率", RATE_COLS, RATE_ROWS,
                                                                                 chart=_rates())),
        tmp_path / "x.xlsx",
    )  # fmt: skip
    with zipfile.ZipFile(xlsx) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        stacked, rates = (z.read(n).decode() for n in charts)
    assert '<c:barDir val="bar"/>' in stacked and '<c:grouping val="stacked"/>' in stacked
    for status in STATUSES:
        assert f'<a:srgbClr val="{STATUS_STYLES[status][1][1:]}"/>' in stacked
    # values and categories are the table's own cells on the sheet, not copies
    assert "<c:f>镇巴县!$C$" in stacked.replace("'", "") and "<c:f>镇巴县!$A$" in stacked.replace("'", "")
    assert 'formatCode="0.0%"' in rates and "<c:v>计划投资完成率</c:v>" in rates


def test_every_report_page_extends_the_one_layout_and_ships():
    for page in ("document.html", "dq_report.html", "breakdown.html"):
        assert '{% extends "base.html" %}' in (TEMPLATES / page).read_text(encoding="utf-8"), page
    html = render_html(_document(Table("完成率", RATE_COLS, RATE_ROWS, chart=_rates())))
    assert html.startswith("<!DOCTYPE html><html lang='zh-CN'><head><meta charset='utf-8'>")
    assert re.search(r"<style>/\* The reports' offline style", html) and html.rstrip().endswith("</html>")
    assert '<svg width="720"' in html and "<script" not in html
    pyproject = tomllib.loads((Path(__file__).parents[1] / "pyproject.toml").read_text(encoding="utf-8"))
    patterns = pyproject["tool"]["setuptools"]["package-data"]["xmdw"]
    for path in TEMPLATES.iterdir():
        name = f"reports/templates/{path.name}"
        assert any(fnmatch.fnmatch(name, p) for p in patterns), f"{name} is not in the package data"
