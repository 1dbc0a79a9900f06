"""The bulletins on a real warehouse (demo ledgers through Dagster, GX and dbt, built once for the module):
the headline numbers in the xlsx and the HTML are the marts' values; periods without data are refused."""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from xmdw.paths import DataPaths
from xmdw.reports.bulletin import (
    NoDataForPeriod,
    build_monthly_bulletin,
    build_quarterly_scorecard,
    build_year_end_evaluation,
    months_with_data,
)

MONTH = "2024-06"
REGIONS = {"610728": "镇巴县", "511902": "巴州区"}


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from xmdw.demo import generate
    from xmdw.pipeline import run_pipeline

    root = tmp_path_factory.mktemp("bulletin") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XMDW_DATA_DIR", str(root))
        mp.setenv("XMDW_WAREHOUSE", str(root / "warehouse.duckdb"))
        paths = DataPaths(root).ensure()
        generate(paths.landing, scale="county", seed=2024, imperfection_rate=0.15)
        assert run_pipeline().success
    return paths.warehouse


@pytest.fixture(scope="module")
def bulletin(warehouse: Path, tmp_path_factory: pytest.TempPathFactory):
    return build_monthly_bulletin(warehouse, MONTH, tmp_path_factory.mktemp("out"))


def _mart(warehouse: Path, sql: str, params: list) -> list[tuple]:
    con = duckdb.connect(str(warehouse), read_only=True)
    try:
        return con.execute(sql, params).fetchall()
    finally:
        con.close()


def _sheet(path: Path, name: str) -> list[list]:
    return CalamineWorkbook.from_path(str(path)).get_sheet_by_name(name).to_python()


def _row_of(rows: list[list], first_cell_or_name: str) -> tuple[list, list]:
    """The header row of the first table whose header holds `first_cell_or_name`'s column, and the row
    whose cells contain the name."""
    header = next(r for r in rows if "区县" in r and "排名" in r)
    row = next(r for r in rows if first_cell_or_name in r)
    return header, row


def _html_values(html: str, key: str) -> list[str]:
    return re.findall(rf'data-key="{re.escape(key)}" data-value="([^"]*)"', html)


def test_files_are_written_with_the_period_in_the_name(bulletin):
    assert bulletin.xlsx.name == f"月通报_{MONTH}.xlsx" and bulletin.xlsx.stat().st_size > 10_000
    assert bulletin.html.name == f"月通报_{MONTH}.html"
    html = bulletin.html.read_text(encoding="utf-8")
    assert (
        "<svg" in html
        and "<script" not in html
        and "http://" not in html.replace('xmlns="http://www.w3.org/2000/svg"', "")
    )
    if bulletin.pdf is not None:
        assert bulletin.pdf.read_bytes()[:5] == b"%PDF-"
    assert bulletin.headline["period"] == MONTH and bulletin.headline["regions"] == 2


def test_summary_sheet_figures_equal_the_marts(bulletin, warehouse):
    rows = _sheet(bulletin.xlsx, "汇总")
    for code, name in REGIONS.items():
        header, row = _row_of(rows, name)
        cell = dict(zip(header, row, strict=False))
        (ratio, pace, rank, snails), = _mart(
            warehouse,
            "SELECT completion_ratio, time_pace, rank_completion, snail_projects FROM marts.mart_investment_ranking "
            "WHERE region_code = ? AND year = 2024 AND month = 6 AND dimension = 'region'",
            [code],
        )  # fmt: skip
        assert cell["全部计划项目完成率"] == pytest.approx(float(ratio))
        assert cell["序时进度"] == pytest.approx(0.5) == pytest.approx(float(pace))
        assert cell["排名"] == rank
        # the 蜗牛 count is the length of the month's list in mart_snail_projects
        (listed,) = _mart(
            warehouse,
            "SELECT count(*) FROM marts.mart_snail_projects WHERE region_code = ? AND year = 2024 AND month = 6 "
            "AND list_type = 'month'",
            [code],
        )[0]
        assert cell["蜗牛项目"] == snails == listed
        (key_rate,) = _mart(
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
            (value,) = _mart(
                warehouse,
                "SELECT rate FROM marts.mart_five_rates WHERE region_code = ? AND year = 2024 AND month = 6 "
                "AND scope = 'region' AND rate_name = ? AND cohort = ? AND variant = ?",
                [code, rate, cohort, variant],
            )[0]
            assert cell[rate] == (pytest.approx(float(value)) if value is not None else "")
        met, severe = _mart(
            warehouse,
            "SELECT targets_met, targets_severely_behind FROM marts.mart_target_status_summary "
            "WHERE region_code = ? AND plan_year = 2024 AND month = 6",
            [code],
        )[0]
        assert (cell["达标"], cell["严重滞后"]) == (met, severe)


def test_region_sheet_lists_target_statuses_and_snails_of_the_marts(bulletin, warehouse):
    rows = _sheet(bulletin.xlsx, "镇巴县")
    status: dict[str, str] = {}  # the first table listing targets is the full list (at-risk targets follow)
    for r in rows:
        if r and isinstance(r[0], str) and r[0].startswith("ZB2024-"):
            status.setdefault(r[0], r[9])
    expected = dict(
        _mart(
            warehouse,
            "SELECT target_id, status FROM marts.mart_target_progress WHERE region_code = '610728' "
            "AND plan_year = 2024 AND month = 6",
            [],
        )
    )
    assert status == expected and "ZB2024-037" in status
    snails = {r[1] for r in rows if len(r) > 9 and isinstance(r[9], str) and "：" in r[9]}
    names = {
        n
        for (n,) in _mart(
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
        for code, r in _mart(
            warehouse,
            "SELECT region_code, rate FROM marts.mart_five_rates WHERE year = 2024 AND month = 6 AND scope = 'region' "
            "AND rate_name = '计划投资完成率' AND cohort = 'all_key' AND is_primary",
            [],
        )
    }
    # summary table (one per region) + the region's headline card
    shown = [float(v) for v in _html_values(html, "key_completion_ratio")]
    assert sorted(shown) == pytest.approx(sorted(list(ratios.values()) * 2))
    (status,) = _mart(
        warehouse,
        "SELECT status FROM marts.mart_target_progress WHERE target_id = 'ZB2024-037' AND month = 6",
        [],
    )[0]
    row = re.search(r'data-key="target_id" data-value="ZB2024-037">(.*?)</td>(.*?)</tr>', html)
    link, cell = row.group(1), row.group(2)
    assert f'data-key="status" data-value="{status}">{status}</td>' in cell
    # the target links to its 数字溯源 section, which lists the rows the figure is made of (issue 10 item 4)
    page, anchor = re.fullmatch(
        r'<a href="(月通报_2024-06_溯源/610728\.html)#(fig-\w+)">ZB2024-037</a>', link
    ).groups()
    breakdown = (bulletin.html.parent / page).read_text(encoding="utf-8")
    section = breakdown.split(f"id='{anchor}'")[1].split("</section>")[0]
    assert "ZB2024-037" in section and "年度投资计划.xlsx" in section and "月度投资进度.xlsx" in section
    cards = re.findall(r'<div class="card[^"]*" data-key="snail_projects" data-value="(\d+)"', html)
    listed = _mart(
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


def test_quarterly_scorecard_and_year_end_evaluation(warehouse, tmp_path):
    q = build_quarterly_scorecard(warehouse, 2024, 2, tmp_path)
    assert q.xlsx.name == "季考核_2024Q2.xlsx" and q.html.exists()
    rows = _sheet(q.xlsx, "镇巴县")
    owned = {r[0]: r[1] for r in rows if r and r[0] == "县发改局" and isinstance(r[1], float | int)}
    (expected,) = _mart(
        warehouse,
        "SELECT targets_owned FROM marts.mart_unit_scorecard WHERE region_code = '610728' AND plan_year = 2024 "
        "AND quarter = 2 AND lead_unit = '县发改局'",
        [],
    )[0]
    assert owned["县发改局"] == expected
    y = build_year_end_evaluation(warehouse, 2024, tmp_path)
    assert y.xlsx.name == "年终评_2024.xlsx" and y.headline["period"] == "2024-12"
    with pytest.raises(NoDataForPeriod):
        build_quarterly_scorecard(warehouse, 2025, 1, tmp_path)
    with pytest.raises(NoDataForPeriod):
        build_year_end_evaluation(warehouse, 2023, tmp_path)


def test_cli_writes_the_latest_month_by_default(warehouse, tmp_path, capsys, monkeypatch):
    from xmdw.cli import main

    assert main(["report", "--database", str(warehouse), "--out", str(tmp_path)]) == 0
    assert (tmp_path / "月通报_2024-12.xlsx").exists()
    assert main(["report", "--quarter", "2024-Q4", "--database", str(warehouse), "--out", str(tmp_path)]) == 0
    assert str(tmp_path / "季考核_2024Q4.xlsx") in capsys.readouterr().out
    assert main(["report", "--month", "2023-05", "--database", str(warehouse), "--out", str(tmp_path)]) == 1
