"""Outputs that cannot be turned against their readers (issue 11, items 5-6): ledger text that looks like a
formula stays inert in every CSV and xlsx, HTML escapes it, data files are owner-only, the served DuckDB
file is read-only on disk, and a report is replaced only by a complete new file. Real files throughout."""

from __future__ import annotations

import os
import re
import signal
import stat
import subprocess
import sys
import textwrap
import time
import zipfile
from html import unescape
from pathlib import Path

import duckdb
import pytest
from python_calamine import CalamineWorkbook

from xmdw.core.paths import DataPaths
from xmdw.reports.chart_spec import bar_chart
from xmdw.reports.document import Col, Document, Part, Table, Text, render_html
from xmdw.reports.xlsx_out import write_xlsx
from xmdw.serving import publish, serving_paths

HOSTILE = [
    "=cmd|'/c calc'!A0",
    "+SUM(1)",
    "@SUM(1)",
    '=HYPERLINK("http://x")',
    "-2+3",
]
SCRIPT_NAME = "<script>alert('x')</script>巴州区项目"


def _hostile_warehouse(path: Path) -> Path:
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA ref")
    con.execute("CREATE TABLE ref.dim_region (region_code VARCHAR, name_zh VARCHAR)")
    con.execute("INSERT INTO ref.dim_region VALUES ('511902', '巴州区')")
    con.execute(
        "CREATE TABLE marts.mart_project_progress (project_id VARCHAR, project_name VARCHAR, "
        "ytd_completed_wan DECIMAL(18, 4))"
    )
    names = [*HOSTILE, SCRIPT_NAME, "普通项目"]
    con.executemany(
        "INSERT INTO marts.mart_project_progress VALUES (?, ?, ?)",
        [[f"P{i}", name, -5 if i == 0 else i] for i, name in enumerate(names)],
    )
    con.close()
    return path


def _sheet_xml(xlsx: Path) -> dict[str, str]:
    with zipfile.ZipFile(xlsx) as z:
        return {n: z.read(n).decode("utf-8") for n in z.namelist() if n.startswith("xl/worksheets/sheet")}


def _assert_no_formula(xlsx: Path) -> None:
    for name, xml in _sheet_xml(xlsx).items():
        assert not re.search(r"<f[ >]", xml), f"{xlsx.name}:{name} holds a formula"


def test_formula_text_is_inert_in_served_csv_and_xlsx(tmp_path: Path) -> None:
    result = publish(_hostile_warehouse(tmp_path / "warehouse.duckdb"), tmp_path / "serving")

    lines = result.csv_paths["marts.mart_project_progress"].read_text(encoding="utf-8-sig").splitlines()
    import csv

    rows = list(csv.reader(lines))
    by_id = {r[0]: r for r in rows[1:]}
    for i, name in enumerate(HOSTILE):
        assert by_id[f"P{i}"][1] == "'" + name, "CSV text that starts like a formula gets an apostrophe"
    assert by_id["P0"][2].startswith("-5"), "a negative number is data, not neutralised"
    assert by_id["P6"][1] == "普通项目"

    _assert_no_formula(result.xlsx_path)
    sheet = CalamineWorkbook.from_path(str(result.xlsx_path)).get_sheet_by_name("mart_project_progress")
    values = {r[0]: r[1] for r in sheet.to_python()[1:]}
    assert [values[f"P{i}"] for i in range(len(HOSTILE))] == HOSTILE, "xlsx keeps the text exactly, as text"
    with zipfile.ZipFile(result.xlsx_path) as z:
        assert 'quotePrefix="1"' in z.read("xl/styles.xml").decode(), "edited cells stay text"
    # The served DuckDB file and Parquet keep the data as sent (they are data, not spreadsheets).
    con = duckdb.connect(str(result.duckdb_path), read_only=True)
    assert con.execute(
        "SELECT project_name FROM marts.mart_project_progress WHERE project_id='P0'"
    ).fetchall() == [(HOSTILE[0],)]
    con.close()


def _hostile_document() -> Document:
    rows = [{"name": n, "status": "滞后", "ratio": 0.5} for n in [*HOSTILE, SCRIPT_NAME]]
    cols = [Col("name", "项目名称"), Col("status", "状态", "status"), Col("ratio", "完成率", "ratio")]
    table = Table(
        title=HOSTILE[3],
        cols=cols,
        rows=rows,
        chart=bar_chart("完成率", cols, rows, "name", ("ratio",)),
        note=SCRIPT_NAME,
    )
    part = Part("巴州区", f"{HOSTILE[0]} 月通报", [table, Text(HOSTILE[2])], anchor="r1")
    return Document("月通报", HOSTILE[1], "月通报_2024-06", [part], notes=[HOSTILE[3]])


def test_report_xlsx_and_html_keep_ledger_text_inert(tmp_path: Path) -> None:
    doc = _hostile_document()
    xlsx = write_xlsx(doc, tmp_path / "月通报_2024-06.xlsx")
    _assert_no_formula(xlsx)
    cells = {
        c for r in CalamineWorkbook.from_path(str(xlsx)).get_sheet_by_name("巴州区").to_python() for c in r
    }
    assert set(HOSTILE) <= cells, "report text is written exactly, as string cells"

    html = render_html(doc)
    assert "<script>" not in html and "&lt;script&gt;" in html
    cells = re.findall(r'<td data-key="name" data-value="([^"]*)">([^<]*)</td>', html)
    names = [*HOSTILE, SCRIPT_NAME]
    assert [(unescape(v), unescape(t)) for v, t in cells] == [(n, n) for n in names], (
        "printed exactly, as text"
    )


def test_pdf_report_prints_markup_as_text(tmp_path: Path) -> None:
    from pypdf import PdfReader

    from xmdw.reports.pdf_out import write_pdf

    pdf = write_pdf(_hostile_document(), tmp_path / "月通报_2024-06.pdf")
    text = "".join(page.extract_text() for page in PdfReader(str(pdf)).pages)
    # reportlab's Paragraph would read <script>…</script> as markup and drop it: the text is escaped first
    assert SCRIPT_NAME in text and HOSTILE[3] in text and HOSTILE[0] in text


# --- atomic reports ---------------------------------------------------------------------------------------


def test_failed_report_write_keeps_the_previous_file(tmp_path: Path) -> None:
    target = write_xlsx(_hostile_document(), tmp_path / "月通报_2024-06.xlsx")
    before = target.read_bytes()
    broken = _hostile_document()
    table = broken.parts[0].blocks[0]
    table.chart = bar_chart("坏图", table.cols, table.rows, "name", ("no_such_column",))  # fails mid-workbook
    with pytest.raises(ValueError):
        write_xlsx(broken, target)
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == [target.name], "no temp file left behind"


_WRITER = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[2])
    from test_outputs_safe import _hostile_document
    from xmdw.reports.xlsx_out import write_xlsx
    write_xlsx(_hostile_document(), __import__("pathlib").Path(sys.argv[1]))
    """
)


def _wait_for(marker: Path, proc: subprocess.Popen, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while not marker.exists():
        assert proc.poll() is None, f"writer exited ({proc.returncode}) before its fault point"
        assert time.monotonic() < deadline, "fault point not reached"
        time.sleep(0.05)


def test_kill_during_report_write_leaves_the_previous_file(tmp_path: Path) -> None:
    target = write_xlsx(_hostile_document(), tmp_path / "月通报_2024-06.xlsx")
    before = target.read_bytes()
    marker = tmp_path / "marker"
    env = os.environ | {"XMDW_FAULT_PAUSE": "report.xlsx.before_close", "XMDW_FAULT_MARKER": str(marker)}
    proc = subprocess.Popen([sys.executable, "-c", _WRITER, str(target), str(Path(__file__).parent)], env=env)
    try:
        _wait_for(marker, proc)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert target.read_bytes() == before, "the kill left the previous complete workbook"
    leftovers = [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers, "the killed writer had started its temp file"
    write_xlsx(_hostile_document(), target)  # the next write cleans the dead writer's temp file
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


# --- permissions ------------------------------------------------------------------------------------------


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def test_data_files_are_owner_only(data_dir: DataPaths) -> None:
    con = duckdb.connect(str(data_dir.warehouse))  # created after ensure(): the umask applies
    con.execute("CREATE TABLE t AS SELECT 1 AS a")
    con.close()
    assert _mode(data_dir.warehouse) == 0o600
    for folder in (data_dir.archive, data_dir.quarantine, data_dir.reports, data_dir.dagster_home):
        assert _mode(folder) == 0o700, folder
    assert _mode(data_dir.root) & 0o007 == 0, "others cannot even enter the data folder"
    report = write_xlsx(_hostile_document(), data_dir.reports / "月通报_2024-06.xlsx")
    assert _mode(report) == 0o600


def test_existing_world_readable_warehouse_is_tightened(tmp_path: Path) -> None:
    root = tmp_path / "data"
    (root / "reports").mkdir(parents=True)
    (root / "warehouse.duckdb").write_bytes(b"")
    os.chmod(root / "warehouse.duckdb", 0o644)
    os.chmod(root / "reports", 0o755)
    DataPaths(root).ensure()
    assert _mode(root / "warehouse.duckdb") == 0o600 and _mode(root / "reports") == 0o700


def test_served_files_are_group_readable_and_the_duckdb_file_read_only(data_dir: DataPaths) -> None:
    result = publish(_hostile_warehouse(data_dir.root / "build.duckdb"), data_dir.serving)
    paths = serving_paths(data_dir.serving)
    assert _mode(result.duckdb_path) == 0o440, "nobody, the owner included, can open it for writing"
    files = [
        result.xlsx_path,
        result.manifest_path,
        *result.csv_paths.values(),
        *result.parquet_paths.values(),
    ]
    for f in files:
        assert _mode(f) == 0o640, f
    for d in (paths.root, paths.parquet_root, result.parquet_dir, paths.csv_dir, paths.export_dir):
        assert _mode(d) == 0o750, d
    for f in [result.duckdb_path, *files]:
        assert _mode(f) & 0o027 == 0, f"{f}: no group write, nothing for others"
    second = publish(_hostile_warehouse(data_dir.root / "build2.duckdb"), data_dir.serving)
    assert _mode(second.duckdb_path) == 0o440, "the publisher still replaces the read-only file"


_OPEN_RW = textwrap.dedent(
    """
    import sys, duckdb
    try:
        con = duckdb.connect(sys.argv[1])
        con.execute("UPDATE marts.mart_project_progress SET project_name = 'changed by BI'")
        con.close()
    except duckdb.Error as e:
        print("REFUSED", type(e).__name__, e)
        sys.exit(0)
    print("WRITTEN")
    """
)


def _without_root_override() -> None:
    """preexec_fn: drop CAP_DAC_OVERRIDE/CAP_DAC_READ_SEARCH from the bounding set, so root, after exec,
    obeys file modes like the BI account does (a BI account is never root)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_served_duckdb_cannot_be_opened_read_write(data_dir: DataPaths) -> None:
    """Opening the served file the default way (read-write) fails for its owner; root is made to obey
    file modes first, as it otherwise ignores them."""
    result = publish(_hostile_warehouse(data_dir.root / "build.duckdb"), data_dir.serving)
    before = result.duckdb_path.read_bytes()
    preexec = _without_root_override if os.geteuid() == 0 else None
    out = subprocess.run(
        [sys.executable, "-c", _OPEN_RW, str(result.duckdb_path)],
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=preexec,
    )
    assert out.stdout.startswith("REFUSED"), out.stdout + out.stderr
    assert "Permission denied" in out.stdout
    assert result.duckdb_path.read_bytes() == before
