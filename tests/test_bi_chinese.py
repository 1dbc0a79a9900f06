"""Chinese for BI users (issue 12, item 6): marts_cn/ref_cn views, Chinese CSV and workbook headers, column
descriptions in the Parquet metadata, and `xmdw --help` in Chinese. Real DuckDB files, real publish."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from xmdw.serving import publish
from xmdw.serving.catalog import TableDoc, chinese_names


def _warehouse(path: Path) -> Path:
    """Marts and ref tables whose names and columns the real dbt YAMLs describe (labels checked below)."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA ref; CREATE SCHEMA staging")
    con.execute(
        """CREATE TABLE marts.mart_region_monthly_investment AS
           SELECT * FROM (VALUES ('610728', 2024, 3, 400.5::DECIMAL(18, 4), 0.363636::DECIMAL(12, 6)),
                                 ('610728', 2024, 6, 550.0::DECIMAL(18, 4), 0.5::DECIMAL(12, 6)),
                                 ('511902', 2024, 3, 30.0::DECIMAL(18, 4), 0.1::DECIMAL(12, 6)))
           t(region_code, year, month, ytd_completed_wan, completion_ratio)"""
    )
    con.execute(
        "CREATE TABLE ref.dim_region AS SELECT * FROM (VALUES ('511902', '巴州区'), ('610728', '镇巴县')) "
        "t(region_code, name_zh)"
    )
    con.execute("CREATE TABLE staging.stg_x AS SELECT 1 AS a")
    con.close()
    return path


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("bi_cn")
    return publish(_warehouse(root / "warehouse.duckdb"), root / "serving")


def test_served_file_has_chinese_views_with_chinese_columns_and_equal_rows(published) -> None:
    con = duckdb.connect(str(published.duckdb_path), read_only=True)
    try:
        views = dict(
            con.execute(
                "SELECT schema_name || '.' || view_name, comment FROM duckdb_views() "
                "WHERE schema_name IN ('marts_cn', 'ref_cn')"
            ).fetchall()
        )
        assert set(views) == {"marts_cn.区县月度计划投资完成率", "ref_cn.行政区划"}
        assert views["marts_cn.区县月度计划投资完成率"].endswith("[marts.mart_region_monthly_investment]")
        cols = [
            c
            for (c,) in con.execute(
                'SELECT column_name FROM (DESCRIBE marts_cn."区县月度计划投资完成率")'
            ).fetchall()
        ]
        assert cols == ["区划代码", "年度", "月份", "本年累计完成投资（万元）", "计划投资完成率"]
        for view, table in (
            ('marts_cn."区县月度计划投资完成率"', "marts.mart_region_monthly_investment"),
            ('ref_cn."行政区划"', "ref.dim_region"),
        ):
            assert (
                con.execute(f"SELECT count(*) FROM {view}").fetchall()
                == con.execute(f"SELECT count(*) FROM {table}").fetchall()
            )
        assert con.execute(
            'SELECT "本年累计完成投资（万元）" FROM marts_cn."区县月度计划投资完成率" WHERE "月份" = 6'
        ).fetchall()[0][0] == pytest.approx(550)
        comment = con.execute(
            "SELECT comment FROM duckdb_columns() WHERE schema_name = 'marts_cn' AND column_name = '计划投资完成率'"
        ).fetchall()[0][0]
        assert comment.startswith("计划投资完成率 — ") and comment.endswith("[completion_ratio]")
    finally:
        con.close()
    # the view binds in its own file, whatever alias a reader attaches it under
    other = duckdb.connect()
    other.execute(f"ATTACH '{published.duckdb_path}' AS bi (READ_ONLY)")
    assert other.execute('SELECT count(*) FROM bi.ref_cn."行政区划"').fetchall() == [(2,)]
    other.close()


def test_csv_header_is_chinese_and_the_dictionary_maps_it_back(published) -> None:
    text = published.csv_paths["marts.mart_region_monthly_investment"].read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["区划代码", "年度", "月份", "本年累计完成投资（万元）", "计划投资完成率"]
    assert len(rows) == 1 + 3, "one header row, then the data"
    dictionary = published.csv_paths["marts.mart_region_monthly_investment"].parents[1] / "字段说明.csv"
    assert dictionary.read_bytes().startswith(b"\xef\xbb\xbf")
    entries = list(csv.DictReader(io.StringIO(dictionary.read_text(encoding="utf-8-sig"))))
    mapping = {(e["表（table）"], e["中文列名（CSV 表头）"]): e["字段名（column）"] for e in entries}
    assert (
        mapping[("marts.mart_region_monthly_investment", "本年累计完成投资（万元）")] == "ytd_completed_wan"
    )
    assert mapping[("ref.dim_region", "区划代码")] == "region_code"


def test_workbook_headers_are_chinese_with_the_column_names_in_字段说明(published) -> None:
    wb = CalamineWorkbook.from_path(str(published.xlsx_path))
    sheet = wb.get_sheet_by_name("mart_region_monthly_investment").to_python()
    assert sheet[0] == ["区划代码", "年度", "月份", "本年累计完成投资（万元）", "计划投资完成率"]
    index = wb.get_sheet_by_name("说明").to_python()
    assert [
        "mart_region_monthly_investment",
        "区县月度计划投资完成率",
        "marts.mart_region_monthly_investment",
    ] in [r[:3] for r in index]
    columns = wb.get_sheet_by_name("字段说明").to_python()
    assert columns[0][:3] == ["工作表", "中文列名（表头）", "字段名（column）"]
    assert ["mart_region_monthly_investment", "计划投资完成率", "completion_ratio"] in [
        r[:3] for r in columns
    ]


def test_parquet_carries_the_column_descriptions(published) -> None:
    path = published.parquet_paths["marts.mart_region_monthly_investment"]
    con = duckdb.connect()
    meta = dict(
        con.execute(f"SELECT key::VARCHAR, decode(value) FROM parquet_kv_metadata('{path}')").fetchall()
    )
    # column names stay snake_case for programs
    assert [c for (c,) in con.execute(f"SELECT name FROM parquet_schema('{path}') WHERE name <> 'duckdb_schema'").fetchall()] == [
        "region_code", "year", "month", "ytd_completed_wan", "completion_ratio"
    ]  # fmt: skip
    con.close()
    assert meta["label_zh"] == "区县月度计划投资完成率"
    assert meta["description_zh"].startswith("区县月度计划投资完成率（调度数） — ")
    fields = json.loads(meta["fields_zh"])
    assert set(fields) == {"region_code", "year", "month", "ytd_completed_wan", "completion_ratio"}
    assert fields["ytd_completed_wan"]["label_zh"] == "本年累计完成投资（万元）"
    assert fields["completion_ratio"]["description_zh"].startswith("计划投资完成率 — ")


@dataclass
class _Table:
    schema: str
    name: str
    columns: list[tuple[str, str]]

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.name}"


def test_naming_rules_for_duplicates_missing_labels_and_quotes() -> None:
    docs = {
        "mart_a": TableDoc(
            "五率（按区县） — the five rates",
            {
                "x": "入库时间 — date stored",
                "y": "入库时间 — date entered",
                "z": "",
                "q": 'a"b — 说明 with "quotes"',
            },
        ),
        "mart_b": TableDoc("五率 — again", {}),
        "mart_c": TableDoc("English only — no Chinese label", {}),
        "dim_x": TableDoc("行政区划 GB/T 2260 — regions", {"w": "名 称 — spaces"}),
    }
    tables = [
        _Table("marts", "mart_a", [("x", "DATE"), ("y", "DATE"), ("z", "INTEGER"), ("q", "VARCHAR")]),
        _Table("marts", "mart_b", [("x", "DATE")]),
        _Table("marts", "mart_c", [("X", "DATE"), ("x2", "DATE")]),
        _Table("ref", "dim_x", [("w", "VARCHAR")]),
    ]
    names = chinese_names(tables, docs)
    assert names["marts.mart_a"].table == "五率（mart_a）" and names["marts.mart_b"].table == "五率（mart_b）"
    assert names["marts.mart_a"].columns == [
        "入库时间（x）",
        "入库时间（y）",
        "z",
        "q",
    ]  # q has no Chinese label
    assert names["marts.mart_c"].table == "mart_c" and names["marts.mart_c"].columns == ["X", "x2"]
    assert names["ref.dim_x"].key == "ref_cn.行政区划" and names["ref.dim_x"].columns == ["名 称"]


def test_help_is_chinese_for_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    """No English sentence outside brackets: no run of three or more English words once bracketed parts
    (…), （…）, […], {…} are removed; commands, options and paths are single words."""
    from xmdw.cli.main import build_parser, main

    parser = build_parser()
    commands = [
        a for a in parser._subparsers._group_actions[0].choices
    ]  # every subcommand, incl. ones added later
    assert {"run", "ingest", "report", "explain", "diff", "versions", "template", "demo"} <= set(commands)
    english_sentence = re.compile(r"(?<![\w./-])[A-Za-z]+(?: [A-Za-z]+){2,}")
    brackets = re.compile(r"\([^()]*\)|（[^（）]*）|\[[^\[\]]*\]|\{[^{}]*\}")
    for argv in [[], *[[c] for c in commands]]:
        with pytest.raises(SystemExit) as done:
            main([*argv, "--help"])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert "用法：" in out and "显示本帮助并退出" in out
        text = out
        for _ in range(3):  # nested brackets
            text = brackets.sub("", text)
        sentences = english_sentence.findall(text)
        assert not sentences, (argv, sentences)
