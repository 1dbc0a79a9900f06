"""The bulletins on a real warehouse (demo ledgers through Dagster, GX and dbt, built once for the module):
the headline numbers in the xlsx and the HTML are the marts' values; periods without data are refused."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import duckdb
import pytest
from bulletin_figures_sql import BZ, ZB, expected_figures
from report_reading import assert_narrative_equals_marts, html_values, mart, pdf_text, row_of, sheet

from xmdw.reports.bulletin import (
    NoDataForPeriod,
    build_monthly_bulletin,
    build_quarterly_scorecard,
    build_year_end_evaluation,
    months_with_data,
)

pytestmark = pytest.mark.e2e  # builds the demo pipeline in a module fixture

MONTH = "2024-06"
REGIONS = {"610728": "镇巴县", "511902": "巴州区"}


@pytest.fixture(scope="module")
def warehouse(county_demo) -> Path:
    """The session's county demo (conftest), read only: the bulletins open it read-only."""
    return county_demo.paths.warehouse


@pytest.fixture(scope="module")
def bulletin(warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    return build_monthly_bulletin(warehouse, MONTH, tmp_path_factory.mktemp("out"))


@pytest.fixture(scope="module")
def period_reports(warehouse: Path, tmp_path_factory: pytest.TempPathFactory) -> dict:
    """季考核 Q2 and Q4 and the 年终评, each written once for the module."""
    out = tmp_path_factory.mktemp("periods")
    return {
        "q2": build_quarterly_scorecard(warehouse, 2024, 2, out),
        "q4": build_quarterly_scorecard(warehouse, 2024, 4, out),
        "year": build_year_end_evaluation(warehouse, 2024, out),
    }


def test_files_are_written_with_the_period_in_the_name(bulletin):
    assert bulletin.xlsx.name == f"月通报_{MONTH}.xlsx" and bulletin.xlsx.stat().st_size > 10_000
    assert bulletin.html.name == f"月通报_{MONTH}.html"
    html = bulletin.html.read_text(encoding="utf-8")
    assert (
        "<svg" in html
        and "<script" not in html
        and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    assert bulletin.pdf.name == f"月通报_{MONTH}.pdf" and bulletin.pdf.read_bytes()[:5] == b"%PDF-"
    assert bulletin.headline["period"] == MONTH and bulletin.headline["regions"] == 2


def test_summary_sheet_figures_equal_the_marts(bulletin, warehouse):
    rows = sheet(bulletin.xlsx, "汇总")
    for code, name in REGIONS.items():
        header, row = row_of(rows, name)
        cell = dict(zip(header, row, strict=False))
        (ratio, pace, rank, snails), = mart(
            warehouse,
            "SELECT completion_ratio, time_pace, rank_completion, snail_projects FROM marts.mart_investment_ranking "
            "WHERE region_code = ? AND year = 2024 AND month = 6 AND dimension = 'region'",
            [code],
        )  # fmt: skip
        assert cell["全部计划项目完成率"] == pytest.approx(float(ratio))
        assert cell["序时进度"] == pytest.approx(0.5) == pytest.approx(float(pace))
        assert cell["排名"] == rank
        # the 蜗牛 count is the length of the month's list in mart_snail_projects
        (listed,) = mart(
            warehouse,
            "SELECT count(*) FROM marts.mart_snail_projects WHERE region_code = ? AND year = 2024 AND month = 6 "
            "AND list_type = 'month'",
            [code],
        )[0]
        assert cell["蜗牛项目"] == snails == listed
        (key_rate,) = mart(
            warehouse,
            "SELECT rate FROM marts.mart_five_rates WHERE region_code = ? AND year = 2024 AND month = 6 "
            "AND scope = 'region' AND rate_name = '计划投资完成率' AND cohort = 'all_key' AND is_primary",
            [code],
        )[0]
        assert cell["重点项目计划投资完成率"] == pytest.approx(float(key_rate))
        for rate, cohort, variant in [
            ("前期手续办结率", "county_new_start_key", "procedure"),
            ("储备项目开工率", "county_new_start_key", "project"),
            ("竣工投产达效率", "all_due_completion", "project"),
        ]:
            (value,) = mart(
                warehouse,
                "SELECT rate FROM marts.mart_five_rates WHERE region_code = ? AND year = 2024 AND month = 6 "
                "AND scope = 'region' AND rate_name = ? AND cohort = ? AND variant = ?",
                [code, rate, cohort, variant],
            )[0]
            assert cell[rate] == (pytest.approx(float(value)) if value is not None else "")
        met, severe, not_completed = mart(
            warehouse,
            "SELECT targets_met, targets_severely_behind, targets_not_completed FROM marts.mart_report_target_summary "
            "WHERE region_code = ? AND plan_year = 2024 AND month = 6",
            [code],
        )[0]
        assert (cell["达标"], cell["严重滞后"], cell["未完成"]) == (met, severe, not_completed)


def test_region_sheet_lists_target_statuses_and_snails_of_the_marts(bulletin, warehouse):
    rows = sheet(bulletin.xlsx, "镇巴县")
    status: dict[str, str] = {}  # the first table listing targets is the full list (at-risk targets follow)
    for r in rows:
        if r and isinstance(r[0], str) and r[0].startswith("ZB2024-"):
            status.setdefault(r[0], r[9])
    expected = dict(
        mart(
            warehouse,
            "SELECT target_id, report_status FROM marts.mart_report_targets WHERE region_code = '610728' "
            "AND plan_year = 2024 AND month = 6",
            [],
        )
    )
    assert status == expected and "ZB2024-037" in status
    snails = {r[1] for r in rows if len(r) > 9 and isinstance(r[9], str) and "：" in r[9]}
    names = {
        n
        for (n,) in mart(
            warehouse,
            "SELECT project_name FROM marts.mart_snail_projects WHERE region_code = '610728' AND year = 2024 "
            "AND month = 6 AND list_type = 'month'",
            [],
        )
    }
    assert snails == names and names


def test_html_carries_the_same_headline_values(bulletin, warehouse):
    html = bulletin.html.read_text(encoding="utf-8")
    ratios = {
        code: float(r)
        for code, r in mart(
            warehouse,
            "SELECT region_code, rate FROM marts.mart_five_rates WHERE year = 2024 AND month = 6 AND scope = 'region' "
            "AND rate_name = '计划投资完成率' AND cohort = 'all_key' AND is_primary",
            [],
        )
    }
    # summary table (one per region) + the region's headline card
    shown = [float(v) for v in html_values(html, "key_completion_ratio")]
    assert sorted(shown) == pytest.approx(sorted(list(ratios.values()) * 2))
    (status,) = mart(
        warehouse,
        "SELECT report_status FROM marts.mart_report_targets WHERE target_id = 'ZB2024-037' AND month = 6",
        [],
    )[0]
    row = re.search(r'data-key="target_id" data-value="ZB2024-037">(.*?)</td>(.*?)</tr>', html)
    link, cell = row.group(1), row.group(2)
    assert f'data-key="report_status" data-value="{status}">{status}</td>' in cell
    # the target links to its 数字溯源 section, which lists the rows the figure is made of (issue 10 item 4)
    page, anchor = re.fullmatch(
        r'<a href="(月通报_2024-06_溯源/610728\.html)#(fig-\w+)">ZB2024-037</a>', link
    ).groups()
    breakdown = (bulletin.html.parent / page).read_text(encoding="utf-8")
    section = breakdown.split(f"id='{anchor}'")[1].split("</section>")[0]
    assert "ZB2024-037" in section and "年度投资计划.xlsx" in section and "月度投资进度.xlsx" in section
    cards = re.findall(r'<div class="card[^"]*" data-key="snail_projects" data-value="(\d+)"', html)
    listed = mart(
        warehouse,
        "SELECT region_code, count(*) FROM marts.mart_snail_projects WHERE year = 2024 AND month = 6 "
        "AND list_type = 'month' GROUP BY 1",
        [],
    )
    assert sorted(int(c) for c in cards) == sorted(n for _, n in listed)


def test_every_month_with_data_builds_and_a_month_without_data_is_refused(warehouse, tmp_path):
    months = months_with_data(warehouse)
    assert months == [f"2024-{m:02d}" for m in range(2, 13)]
    for month in (months[0], months[-1]):
        assert build_monthly_bulletin(warehouse, month, tmp_path).xlsx.exists()
    with pytest.raises(NoDataForPeriod, match="没有数据.*no data for 2025-03"):
        build_monthly_bulletin(warehouse, "2025-03", tmp_path)
    with pytest.raises(NoDataForPeriod):
        build_monthly_bulletin(warehouse, "2024-01", tmp_path)


def test_quarterly_scorecard_and_year_end_evaluation(warehouse, period_reports, tmp_path):
    q = period_reports["q2"]
    assert q.xlsx.name == "季考核_2024Q2.xlsx" and q.html.exists()
    rows = sheet(q.xlsx, "镇巴县")
    # the scorecard is the first table naming the unit in its 牵头单位 column (the ranking follows)
    owned = next(r[2] for r in rows if len(r) > 2 and r[1] == "县发改局" and isinstance(r[2], float | int))
    (expected,) = mart(
        warehouse,
        "SELECT targets_owned FROM marts.mart_report_unit_scorecard WHERE region_code = '610728' AND plan_year = 2024 "
        "AND quarter = 2 AND lead_unit = '县发改局'",
        [],
    )[0]
    assert owned == expected
    y = period_reports["year"]
    assert y.xlsx.name == "年终评_2024.xlsx" and y.headline["period"] == "2024-12"
    with pytest.raises(NoDataForPeriod):
        build_quarterly_scorecard(warehouse, 2025, 1, tmp_path)
    with pytest.raises(NoDataForPeriod):
        build_year_end_evaluation(warehouse, 2023, tmp_path)


def test_cli_writes_the_latest_month_by_default(warehouse, tmp_path, capsys, monkeypatch):
    from xmdw.cli.main import main

    assert main(["report", "--database", str(warehouse), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "月通报_2024-12.xlsx").exists()
    assert main(["report", "--quarter", "2024-Q4", "--database", str(warehouse), "--out", str(tmp_path)]) == 0
    assert str(tmp_path / "季考核_2024Q4.xlsx") in capsys.readouterr().out
    assert main(["report", "--month", "2023-05", "--database", str(warehouse), "--out", str(tmp_path)]) == 1


# --- 文字通报, statuses at the due date, formats (issue 12 item 5) ------------------------------------------


@pytest.mark.parametrize(("code", "month"), [(ZB, 11), (BZ, 11), (ZB, 6)])
def test_monthly_narrative_numbers_equal_the_marts(warehouse, code, month):
    from xmdw.reports import mart_reader as mr
    from xmdw.reports import narrative
    from xmdw.reports.blocks import region_row

    with mr.open_marts(warehouse) as con:
        snap = mr.snapshot(con, 2024, month)
    n = narrative.monthly(region_row(snap.bulletin_figures, code))
    assert_narrative_equals_marts(n, expected_figures(warehouse, code, month))
    scope = "全县" if code == ZB else "全区"
    assert n.text.startswith(f"1—{month}月，{scope}{n.shown['key_projects']}个重点项目累计完成投资")
    assert "较序时进度" in n.text and "完成率最高" in n.text and "蜗牛项目" in n.text


def test_quarterly_and_year_end_narratives_lead_with_the_targets(warehouse, period_reports):
    from xmdw.reports import mart_reader as mr
    from xmdw.reports import narrative
    from xmdw.reports.blocks import region_row

    with mr.open_marts(warehouse) as con:
        snap = mr.snapshot(con, 2024, 12, snail_list="quarter")
    row = region_row(snap.bulletin_figures, ZB)
    expected = expected_figures(warehouse, ZB, 12)
    quarterly, year_end = narrative.quarterly(row, 4), narrative.year_end(row, 2024)
    for n in (quarterly, year_end):
        assert_narrative_equals_marts(n, expected)
        assert "未完成" in n.text and "考核完成率最高的是" in n.text
    assert quarterly.text.startswith("第四季度末，") and year_end.text.startswith("2024年，")
    # every target is due in December: no pace status is left, nothing is "at risk" any more
    assert expected["targets_on_track"] == expected["targets_forecast_missed"] == 0
    # the report opens with the paragraph (HTML: first block of the summary and of each region)
    html = period_reports["year"].html.read_text(encoding="utf-8")
    assert f"镇巴县：{year_end.text}" in html.split("<h3>")[0]


def test_unmet_target_at_its_due_date_is_not_completed_in_quarterly_and_year_end(warehouse, period_reports):
    (actual, target, status), = mart(
        warehouse,
        "SELECT actual_value, target_value, status FROM marts.mart_target_progress WHERE target_id = 'ZB2024-011' "
        "AND month = 12", [],
    )  # fmt: skip
    assert (float(actual), float(target), status) == (29, 30, "正常"), "the scenario: 29 of 30 new starts"
    for files in (period_reports["q4"], period_reports["year"]):
        html = files.html.read_text(encoding="utf-8")
        row = re.search(r'data-value="ZB2024-011">.*?</tr>', html).group(0)
        assert 'data-key="report_status" data-value="未完成">未完成</td>' in row
        region = [r for r in sheet(files.xlsx, "镇巴县") if r and r[0] == "ZB2024-011"]
        assert region and all(r[9] == "未完成" for r in region)
        # nothing due is listed as at risk, and no 正常 target is listed at all
        for at_risk in [s.split("<h3>")[0] for s in html.split("年底预计难以完成的目标</h3>")[1:]]:
            assert "正常</td>" not in at_risk and "ZB2024-011" not in at_risk
    # the quarter's scorecard counts it as 未完成 for its lead unit
    ((unit,),) = mart(warehouse, "SELECT lead_unit FROM ref.plan_targets WHERE target_id = 'ZB2024-011'", [])
    ((not_completed,),) = mart(
        warehouse,
        "SELECT targets_not_completed FROM marts.mart_report_unit_scorecard WHERE lead_unit = ? AND quarter = 4",
        [unit],
    )
    assert not_completed >= 1


def test_rates_print_as_percentages_and_bazhou_has_lead_units(bulletin, warehouse, period_reports):
    html = bulletin.html.read_text(encoding="utf-8")
    row = re.search(r'data-value="ZB2024-001">.*?</tr>', html).group(0)  # 制造业投资增长8%左右
    assert '<td class="n" data-key="target_value" data-value="0.08">8.0%</td>' in row
    for page in (html, period_reports["year"].html.read_text(encoding="utf-8")):  # incl. the conflicts table
        assert "ratio" not in re.sub(r'data-[a-z_]+="[^"]*"', "", page.split("<h2>口径说明")[0])
        assert "CF-" not in page and "docs/" not in page
    units = {u for (u,) in mart(warehouse, "SELECT DISTINCT lead_unit FROM marts.mart_report_unit_scorecard "
                                 "WHERE region_code = ?", [BZ])}  # fmt: skip
    assert "（未指定）" not in units and {"区发改局", "区农业农村局", "区经信局"} <= units


def test_chart_colours_are_the_status_colours_and_legends_fit(warehouse, period_reports):
    from xmdw.reports.chart_svg import layout, text_width
    from xmdw.reports.render import STATUS_STYLES
    from xmdw.reports.scorecard import SCORECARD_SERIES, scorecard_table

    html = period_reports["q2"].html.read_text(encoding="utf-8")
    chart = html.split('aria-label="各牵头单位目标状态"')[1].split("</svg>")[0]
    statuses = [status for _, status in SCORECARD_SERIES]
    for status in statuses:  # bars drawn in the table cell's fill, outlined in its font colour
        _, fill, font = STATUS_STYLES[status]
        assert f'fill="{fill}" stroke="{font}"' in chart and f">{status}</text>" in chart, status
    with duckdb.connect(str(warehouse), read_only=True) as con:
        card = con.execute(
            "SELECT * FROM marts.mart_report_unit_scorecard WHERE quarter = 2 AND region_code = ?", [ZB]
        ).df()
    drawn = layout(scorecard_table(card, "t").chart)
    legend = drawn.bars[-len(statuses) :]
    assert [b.fill for b in legend] == [STATUS_STYLES[s][1] for s in statuses]
    assert [lab.text for lab in drawn.labels[-len(statuses) :]] == statuses
    for label in drawn.labels:  # nothing drawn past the right edge (a clipped legend label)
        right = label.x + (text_width(label.text, label.size) if label.anchor == "start" else 0)
        assert right <= drawn.width, label
    # the workbook's chart is Excel's own stacked bar chart over the scorecard's cells, in the same colours
    with zipfile.ZipFile(period_reports["q2"].xlsx) as z:
        xml = [z.read(n).decode() for n in z.namelist() if n.startswith("xl/charts/chart")]
    stacked = [x for x in xml if '<c:grouping val="stacked"/>' in x]
    assert stacked and all(f'<a:srgbClr val="{STATUS_STYLES[s][1][1:]}"/>' in stacked[0] for s in statuses)


def test_pdf_embeds_its_cjk_font_and_prints_headline_figures_and_chart_values(bulletin, warehouse):
    data = bulletin.pdf.read_bytes()
    assert data[:5] == b"%PDF-" and b"/FontFile2" in data and b"/Helvetica" not in data
    text = pdf_text(bulletin.pdf)
    assert text.startswith("2024年1—6月 重点项目推进情况月通报"), "the title opens the PDF"
    rows = mart(
        warehouse,
        "SELECT r.region_name, r.completion_ratio, r.time_pace, f.rate FROM marts.mart_investment_ranking r "
        "JOIN marts.mart_five_rates f ON f.region_code = r.region_code AND f.year = r.year AND f.month = r.month "
        "AND f.scope = 'region' AND f.rate_name = '计划投资完成率' AND f.cohort = 'all_key' AND f.is_primary "
        "WHERE r.year = 2024 AND r.month = 6 AND r.dimension = 'region'", [],
    )  # fmt: skip
    assert {name for name, *_ in rows} == set(REGIONS.values())
    summary = text.split("各区县排名")[1].split("镇巴县（610728）")[0]
    chart = summary.split("各区县计划投资完成率与序时进度")[1].split("排名")[0]
    for name, ratio, pace, key_rate in rows:
        assert name in chart, "the chart names its categories"
        assert f"{float(ratio) * 100:.1f}%" in chart and f"{float(pace) * 100:.1f}%" in chart, (
            "bars carry values"
        )
        assert f"{float(key_rate) * 100:.1f}%" in summary, "the summary table prints the headline rate"
    assert "全部计划项目完成率" in chart and "序时进度" in chart, "the legend names the series"
    assert "全县" in text and "个重点项目累计完成投资" in text, "the 文字通报 opens the PDF"
    # the region's 核心指标 cards (before its targets table) print the same headline figures
    cards = text.split("镇巴县（610728）")[1].split("重点指标完成情况")[0]
    (_, ratio, pace, key_rate) = next(r for r in rows if r[0] == "镇巴县")
    for value in (key_rate, ratio, pace):
        assert f"{float(value) * 100:.1f}%" in cards.split("核心指标")[1]


def test_scorecard_pdf_draws_the_stacked_status_chart(period_reports, warehouse):
    from xmdw.reports.scorecard import SCORECARD_SERIES

    text = pdf_text(period_reports["q2"].pdf).split("镇巴县（610728）")[1]
    lines = text.split("各牵头单位目标状态")[1].split("排名")[0].split("\n")
    assert all(status in lines for _, status in SCORECARD_SERIES), "the legend lists every status"
    owned = mart(
        warehouse,
        "SELECT lead_unit, targets_owned FROM marts.mart_report_unit_scorecard WHERE region_code = ? "
        "AND plan_year = 2024 AND quarter = 2", [ZB],
    )  # fmt: skip
    units = [u for u, _ in owned]
    first_name = min(i for i, line in enumerate(lines) if line in units)
    assert sorted(lines[first_name : first_name + len(units)]) == sorted(units), "one bar per lead unit"
    # reportlab prints the stacks' end labels just before the category names: each unit's number of targets
    totals = lines[first_name - len(units) : first_name]
    assert sorted(int(t) for t in totals) == sorted(int(n) for _, n in owned)


def test_monthly_bulletin_has_a_word_version_in_official_layout(bulletin, warehouse):
    from docx import Document as read_docx

    assert sorted(p.name for p in bulletin.docx) == [
        f"巴州区_月通报_{MONTH}.docx",
        f"镇巴县_月通报_{MONTH}.docx",
    ]
    doc = read_docx(str(next(p for p in bulletin.docx if p.name.startswith("镇巴县"))))
    texts = [p.text for p in doc.paragraphs]
    assert texts[1] == "镇巴项推办〔2024〕6号" and texts[3] == "关于2024年1—6月重点项目推进情况的通报"
    assert doc.paragraphs[3].runs[0].font.name == "方正小标宋简体"
    body = next(p for p in doc.paragraphs if p.text.startswith("1—6月，全县"))
    assert body.runs[0].font.name == "仿宋_GB2312" and body.runs[0].font.size.pt == 16
    assert re.fullmatch(
        r"二〇[〇一二三四五六七八九]{2}年[一二三四五六七八九十]+月[一二三四五六七八九十]+日", texts[-1]
    )
    # the 蜗牛 table lists the month's list of the mart
    names = {n for (n,) in mart(warehouse, "SELECT project_name FROM marts.mart_snail_projects WHERE region_code = ? "
                                  "AND year = 2024 AND month = 6 AND list_type = 'month'", [ZB])}  # fmt: skip
    listed = {
        row.cells[1].text for t in doc.tables for row in t.rows[1:] if t.rows[0].cells[1].text == "项目名称"
    }
    assert listed == names and names
