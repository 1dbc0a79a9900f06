"""The 退回修改清单 is complete and safe (issue 11 items 4 and 5): a rejected row stays listed until a later
submission loads its natural key (files of one batch never hide each other's rejections; a registry
resubmission removes only the rows it fixes), a row without a readable key until a later clean file of its
unit, ledger and period; ledger text never becomes a formula in the xlsx nor markup in the HTML.
Real xlsx ledgers, real ingestion, real GX validation, real report files (no Dagster, no dbt)."""

from __future__ import annotations

import re
import zipfile
from datetime import date

import duckdb
import pytest
from ledgers import PROJECT_HEADER, write_csv, write_xlsx
from python_calamine import CalamineWorkbook

from xmdw.ingestion.batch import ingest_landing
from xmdw.quality.results import validate
from xmdw.reports import write_dq_report

pytestmark = pytest.mark.e2e  # each test runs ingest + GX validation + the DQ report two or three times

UNIT = "县发改局"
REGISTRY = f"{UNIT}_项目基本信息台账.xlsx"


def _row(pid, name, total="1000"):
    return [pid, name, "610728", "开工在建", total, "县交通局"]


def _run(paths, run_id: str):
    ingest_landing(paths, run_id=run_id)
    con = duckdb.connect(str(paths.warehouse))
    try:
        validate(con, run_id=f"dq-{run_id}")
    finally:
        con.close()
    return write_dq_report(paths)


def _listed(files) -> list[tuple]:
    """(file, row, kind) of every ingestion problem on the unit's sheet."""
    wb = CalamineWorkbook.from_path(str(files.xlsx))
    if UNIT not in wb.sheet_names:
        return []
    rows = wb.get_sheet_by_name(UNIT).to_python()[2:]
    return sorted((r[1], int(r[3]), r[10]) for r in rows if str(r[10]).startswith("退回"))


def _rejected(paths) -> list[tuple]:
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(
            "SELECT DISTINCT file_name, source_row FROM raw.rejected_rows ORDER BY ALL"
        ).fetchall()
    finally:
        con.close()


def test_files_of_one_batch_do_not_hide_each_others_rejections(data_dir):
    # two registry files of one unit in one drop: the second loads cleanly and arrives after the first
    write_xlsx(data_dir.landing / REGISTRY, [PROJECT_HEADER, _row("P1", "甲路"), _row("P2", "乙厂", "待定")])
    write_xlsx(data_dir.landing / f"{UNIT}_项目基本信息台账_补充.xlsx", [PROJECT_HEADER, _row("P5", "戊园")])
    files = _run(data_dir, "batch1")
    assert _rejected(data_dir) == [(REGISTRY, 3)]
    assert _listed(files) == [(REGISTRY, 3, "退回（该行未入库）")]


def test_a_registry_resubmission_removes_only_the_rows_it_covers(data_dir):
    write_xlsx(
        data_dir.landing / REGISTRY,
        [
            PROJECT_HEADER,
            _row("P1", "甲路"),
            _row("P2", "乙厂", "待定"),  # row 3: fixed by the resubmission
            _row("P3", "丙园", "abc"),  # row 4: not in the resubmission, stays
            _row(None, "丁站"),  # row 5: no key; leaves once a later clean file of the unit arrives
        ],
    )
    first = _run(data_dir, "first")
    assert _listed(first) == [(REGISTRY, 3, "退回（该行未入库）"), (REGISTRY, 4, "退回（该行未入库）"),
                              (REGISTRY, 5, "退回（该行未入库）")]  # fmt: skip
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        keys = con.execute("SELECT source_row, natural_key_json FROM raw.rejected_rows ORDER BY 1").fetchall()
    finally:
        con.close()
    # written at ingestion: the report never re-reads an archived file to know what a resubmission covers
    assert keys == [(3, '{"project_id": "P2"}'), (4, '{"project_id": "P3"}'), (5, None)]

    write_xlsx(
        data_dir.landing / f"{UNIT}_项目基本信息台账（更正）.xlsx",
        [PROJECT_HEADER, _row("P2", "乙厂", "800")],
    )
    second = _run(data_dir, "second")
    assert _listed(second) == [(REGISTRY, 4, "退回（该行未入库）")]
    # the summary compares with the previous run: 3 rejections then, 1 now
    summary = CalamineWorkbook.from_path(str(second.xlsx)).get_sheet_by_name("汇总").to_python()
    ing = [r for r in summary[4:] if r[0] == UNIT and r[1] == "ING-NUM"]
    assert ing and ing[0][5:] == [1, 2, -1], summary


HOSTILE = ["=cmd|'/c calc'!A0", "+SUM(A1)", "@SUM(A1)", "-1+2", '=HYPERLINK("http://x.example")']


def test_rejected_values_are_text_never_formulas_and_html_is_escaped(data_dir):
    rows = [_row(f"P{i}", f"项目{i}", value) for i, value in enumerate(HOSTILE, start=1)]
    rows.append(_row("P9", "<script>alert('x')</script>项目", "<script>alert(1)</script>"))
    # CSV: the cells are the literal text a unit typed (an xlsx writer would store `=…` as a formula)
    write_csv(data_dir.landing / REGISTRY.replace(".xlsx", ".csv"), [PROJECT_HEADER, *rows])
    files = _run(data_dir, "hostile")

    with zipfile.ZipFile(files.xlsx) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(re.search(r"<f[ >]", z.read(n).decode("utf-8")) for n in sheets)
    values = [
        r[6] for r in CalamineWorkbook.from_path(str(files.xlsx)).get_sheet_by_name(UNIT).to_python()[2:]
    ]
    for value in HOSTILE:
        assert "'" + value in values, (value, values)  # a string, neutralised for a clerk who edits it

    html = files.html.read_text(encoding="utf-8")
    assert "<script" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def _sheet_rows(files, unit: str) -> list[tuple]:
    """(file, row or None, action) of every problem on a unit's sheet."""
    wb = CalamineWorkbook.from_path(str(files.xlsx))
    if unit not in wb.sheet_names:
        return []
    rows = wb.get_sheet_by_name(unit).to_python()[2:]
    return sorted((r[1], int(r[3]) if r[3] != "" else None, r[10]) for r in rows)


def test_a_landing_entry_moved_aside_unopened_is_in_the_return_list(data_dir, tmp_path):
    # a link has no hash (it is never opened): the quarantine list must not match on sha256 only
    target = tmp_path / "elsewhere.xlsx"
    write_xlsx(target, [PROJECT_HEADER, _row("P1", "甲路")])
    name = "县交通局_月度投资进度.xlsx"
    (data_dir.landing / name).symlink_to(target)
    write_xlsx(data_dir.landing / REGISTRY, [PROJECT_HEADER, _row("P1", "甲路")])
    files = _run(data_dir, "link")
    con = duckdb.connect(str(data_dir.warehouse), read_only=True)
    try:
        logged = con.execute(
            "SELECT file_name, status, reason_rule, sha256 FROM raw.ingest_log WHERE file_name = ?", [name]
        ).fetchall()
    finally:
        con.close()
    assert logged == [(name, "quarantined", "ING-NOTFILE", None)]
    assert _sheet_rows(files, "县交通局") == [(name, None, "隔离（整个文件未入库）")]
    assert name in files.html.read_text(encoding="utf-8")

    # moved aside again in a later run (a new link of the same name): still one entry, the latest
    (data_dir.landing / name).symlink_to(target)
    files = _run(data_dir, "link-again")
    assert _sheet_rows(files, "县交通局") == [(name, None, "隔离（整个文件未入库）")]


PROJECT_WITH_START = [*PROJECT_HEADER, "实际开工时间"]


def test_unreadable_optional_values_are_hints_until_a_later_file_loads_the_same_key(data_dir):
    # 实际开工时间 is optional: an unreadable one is stored as empty, the row loaded, the unit told (提示)
    write_xlsx(
        data_dir.landing / REGISTRY,
        [PROJECT_WITH_START, [*_row("P1", "甲路"), "去年春天"], [*_row("P2", "乙厂"), "不详日期"]],
    )
    # same batch, another file of the unit: loads neither key, so it hides nothing
    write_xlsx(data_dir.landing / f"{UNIT}_项目基本信息台账_补充.xlsx", [PROJECT_HEADER, _row("P5", "戊园")])
    hint = "提示（该值未读取，行已入库）"
    first = _run(data_dir, "hints1")
    assert [r for r in _sheet_rows(first, UNIT) if r[2] == hint] == [(REGISTRY, 2, hint), (REGISTRY, 3, hint)]

    # a later correction of P1 only (a new revision of its key): P1's hint goes, P2's stays
    write_xlsx(
        data_dir.landing / f"{UNIT}_项目基本信息台账（更正）.xlsx",
        [PROJECT_WITH_START, [*_row("P1", "甲路"), date(2024, 3, 1)]],
    )
    second = _run(data_dir, "hints2")
    assert [r for r in _sheet_rows(second, UNIT) if r[2] == hint] == [(REGISTRY, 3, hint)]
