"""The submission page in a real browser (issue 12 item 3): the real server (uvicorn, a free port, a temp
data dir) driven by Debian's Chromium through Selenium. A unit picks its name and uploads a real xlsx with
one bad row, sees the receipt with the row/column problem in Chinese, downloads the highlighted copy and
finds the upload in its history; a second unit sends a clean file; the 调度 page shows 退回 / 已报 / 未报.

Nothing is downloaded: the Service is given /usr/bin/chromedriver and the browser /usr/bin/chromium
(`make browser` installs both). XMDW_SCREENSHOTS=1 rewrites docs/img/submission_*.png.
"""

from __future__ import annotations

import os
import socket
import threading
from pathlib import Path

import duckdb
import pytest
from ledgers import PROGRESS_HEADER, write_xlsx
from openpyxl import load_workbook

from xmdw.core.paths import DataPaths
from xmdw.ingestion.batch import ingest_landing

CHROMIUM, CHROMEDRIVER = Path("/usr/bin/chromium"), Path("/usr/bin/chromedriver")
DOCS_IMG = Path(__file__).resolve().parents[1] / "docs" / "img"
BAD_UNIT, GOOD_UNIT = "县交通局", "县水利局"
BAD_FILE = f"{BAD_UNIT}_2024年11月_月度投资进度.xlsx"

needs_browser = pytest.mark.skipif(
    not (CHROMIUM.exists() and CHROMEDRIVER.exists()), reason="Chromium missing: run `make browser`"
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """(base url, data paths) of a real server on a free port, over a fresh data directory."""
    import uvicorn

    from xmdw.web.app import create_app, warm_up

    root = tmp_path_factory.mktemp("web") / "data"
    old = os.environ.get("XMDW_DATA_DIR")
    os.environ["XMDW_DATA_DIR"] = str(root)
    paths = DataPaths(root).ensure()
    warm_up()
    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(paths), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        thread.join(0.05)
    yield f"http://127.0.0.1:{port}", paths
    server.should_exit = True
    thread.join()
    if old is None:
        os.environ.pop("XMDW_DATA_DIR", None)
    else:
        os.environ["XMDW_DATA_DIR"] = old


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile, downloads = tmp_path_factory.mktemp("chromium"), tmp_path_factory.mktemp("downloads")
    opts = webdriver.ChromeOptions()
    opts.binary_location = str(CHROMIUM)
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                f"--user-data-dir={profile}", "--window-size=1280,900", "--lang=zh-CN"):  # fmt: skip
        opts.add_argument(arg)
    opts.add_experimental_option("prefs", {"download.default_directory": str(downloads)})
    driver = webdriver.Chrome(service=Service(executable_path=str(CHROMEDRIVER)), options=opts)
    driver.downloads = downloads
    yield driver
    driver.quit()


def _shot(driver, name: str) -> None:
    """Committed screenshots of the page, rewritten only on request (XMDW_SCREENSHOTS=1)."""
    if os.environ.get("XMDW_SCREENSHOTS") != "1":
        return
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, max(700, min(height + 160, 1800)))  # the window includes its frame
    DOCS_IMG.mkdir(parents=True, exist_ok=True)
    driver.save_screenshot(str(DOCS_IMG / name))
    driver.set_window_size(1280, 900)


def _upload(driver, base: str, unit: str, path: Path, shot: str | None = None) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver.get(base + "/")
    Select(driver.find_element(By.ID, "unit")).select_by_visible_text(unit)
    driver.find_element(By.ID, "file").send_keys(str(path))
    if shot:
        _shot(driver, shot)
    driver.find_element(By.ID, "submit").click()
    WebDriverWait(driver, 60).until(lambda d: "/receipts/" in d.current_url)


def _ledger(folder: Path, unit: str, bad: bool) -> Path:
    rows = [
        [f"{unit} 2024年11月 重点项目月度投资进度"],
        PROGRESS_HEADER,
        ["ZB2024-001", "城区至兴隆道路改造", 2024, 11, "1200", "3400"],
        ["ZB2024-002", "泾洋河大桥", 2024, 11, "待定" if bad else "600", "500"],  # row 4, column E
        ["ZB2024-003", "工业园标准化厂房", 2024, 11, "80", "90"],
    ]
    return write_xlsx(folder / f"{unit}_2024年11月_月度投资进度.xlsx", rows, sheet="进度")


@needs_browser
def test_a_unit_uploads_sees_its_problems_and_the_office_sees_every_unit(site, browser, tmp_path):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    base, paths = site
    _upload(browser, base, BAD_UNIT, _ledger(tmp_path, BAD_UNIT, bad=True), shot="submission_upload.png")

    # the receipt: hash, ledger, period, counts, and the problem where it is, in Chinese
    text = browser.find_element(By.TAG_NAME, "main").text
    assert browser.find_element(By.ID, "verdict").text == "退回修改：部分行需改正"
    assert browser.find_element(By.ID, "ledger").text == "月度投资进度台账"
    assert browser.find_element(By.ID, "period").text == "2024年11月"
    assert "读取 5 行：可入库 2 行，退回 1 行" in browser.find_element(By.ID, "rows").text
    assert len(browser.find_element(By.ID, "sha").text) == 64
    cells = [c.text for c in browser.find_elements(By.CSS_SELECTOR, "#problems tbody tr:first-child td")]
    assert cells[:4] == ["进度", "4", "本年完成投资", "待定"]
    assert "“待定”不是有效数字" in cells[4] and cells[5] == "退回（该行未入库）"
    assert "ING-NUM" in text
    _shot(browser, "submission_receipt.png")

    # the highlighted copy downloads through the link: row 4's 本年完成投资 cell carries the message
    browser.find_element(By.ID, "download").click()
    target = browser.downloads / f"{BAD_FILE.removesuffix('.xlsx')}_标注.xlsx"
    WebDriverWait(browser, 30).until(lambda _: target.exists())
    ws = load_workbook(target)["进度"]
    assert "“待定”不是有效数字" in ws["E4"].comment.text
    assert ws["E4"].fill.fgColor.rgb.endswith("FFC7CE")

    # queued for the next build under a temp-then-rename name; the warehouse was never created
    queued = list((paths.landing).rglob("*.xlsx"))
    assert [q.name for q in queued] == [BAD_FILE]
    assert not list(paths.landing.rglob(".*.part")) and not paths.warehouse.exists()

    # the history lists the upload
    browser.find_element(By.ID, "to-history").click()
    assert BAD_FILE in browser.find_element(By.ID, "history").text

    # a second unit sends a clean file; the 调度 page: 退回, 已报, and every other unit 未报
    _upload(browser, base, GOOD_UNIT, _ledger(tmp_path, GOOD_UNIT, bad=False))
    assert browser.find_element(By.ID, "verdict").text == "已接收"
    browser.get(base + "/operator?month=2024-11")
    status = {
        r.get_attribute("data-unit"): r.find_element(By.CLASS_NAME, "status").get_attribute("textContent")
        for r in browser.find_elements(By.CSS_SELECTOR, "#status tbody tr, #missing li")
    }
    assert status[BAD_UNIT] == "退回" and status[GOOD_UNIT] == "已报"
    assert {s for u, s in status.items() if u not in (BAD_UNIT, GOOD_UNIT)} == {"未报"}
    assert len(status) >= 60  # every unit of seeds/dim_unit.csv
    _shot(browser, "submission_operator.png")

    # no second code path: what the page queued is an ordinary landing file for the next build
    outcomes = ingest_landing(paths).outcomes
    assert sorted((o.file_name, o.status, o.rows_loaded, o.rows_rejected) for o in outcomes) == [
        (BAD_FILE, "accepted", 2, 1),
        (f"{GOOD_UNIT}_2024年11月_月度投资进度.xlsx", "accepted", 3, 0),
    ]
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        units = {r[0] for r in con.execute("SELECT submitting_unit FROM raw.ingest_log").fetchall()}
    finally:
        con.close()
    assert units == {BAD_UNIT, GOOD_UNIT}


def _post(base: str, unit: str, name: str, data: bytes, length: int | None = None) -> tuple[int, str]:
    """A multipart upload as a browser sends it (urllib: no browser needed for these checks)."""
    import urllib.error
    import urllib.request

    boundary = "xmdwBoundary7MA4YWxkTrZu0gW"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="unit"\r\n\r\n{unit}\r\n'
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: application/octet-stream\r\n\r\n"
        ).encode()
        + data
        + f"\r\n--{boundary}--\r\n".encode()
    )
    req = urllib.request.Request(base + "/submit", data=body, method="POST")
    req.add_header("Content-Type", f"multipart/form-data; boundary={boundary}")
    req.add_header("Content-Length", str(length or len(body)))
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:  # follows the 303 to the receipt
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def test_a_quarantined_upload_shows_the_file_problem_and_its_rows_problems_escaped(site, tmp_path):
    base, _ = site
    path = write_xlsx(
        tmp_path / "x.xlsx",
        [
            ["项目编号", "项目名称", "本年完成投资", "开工累计完成投资"],  # no 年度/月份, none in the name
            ["P1", "<script>alert(1)</script>", "待定", "100"],
        ],
    )
    status, html = _post(base, "县住建局", "<b>进度</b>.xlsx", path.read_bytes())
    assert status == 200
    assert "退回修改：文件未能使用" in html and "ING-F3" in html and "缺少“年度”" in html
    assert "“待定”不是有效数字" in html  # the row's own problem in the same round
    assert "<script>alert(1)" not in html and "<b>进度" not in html  # everything escaped
    assert "&lt;b&gt;进度&lt;/b&gt;.xlsx" in html


def test_uploads_are_refused_when_too_big_or_without_a_known_unit(site):
    base, paths = site
    before = sorted(paths.landing.rglob("*"))
    status, html = _post(base, "县住建局", "a.csv", b"x", length=500 * 1024 * 1024)
    assert status == 413 and "文件超过 100 MB 的上限" in html
    status, html = _post(base, "不存在的单位", "a.csv", b"x")
    assert status == 400 and "请先选择报送单位" in html
    assert sorted(paths.landing.rglob("*")) == before  # nothing queued


def test_status_reads_the_published_copy_for_units_that_used_the_landing_folder(data_dir):
    """A unit with progress of the month in the published copy is 已报 without an upload; a ledger
    without a period counts for the month before the one it was uploaded in."""
    from datetime import datetime

    from xmdw.web.receipts import CST, Receipt
    from xmdw.web.status import report_month, unit_statuses

    data_dir.serving.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(data_dir.served_warehouse))
    con.execute("CREATE SCHEMA marts")
    con.execute(
        "CREATE TABLE marts.mart_project_progress AS SELECT * FROM (VALUES "
        "('县发改局', 'P1', 2024, 11, true), ('县发改局', 'P2', 2024, 11, true), "
        "('县财政局', 'P3', 2024, 10, true), ('县住建局', 'P4', 2024, 11, false)"
        ") t(lead_unit, project_id, year, month, reported_this_month)"
    )
    con.close()
    registry = Receipt("a" * 32, "县文旅局", "县文旅局_项目台账.xlsx", datetime(2024, 12, 3, 10, tzinfo=CST))
    registry.verdict, registry.status = "received", "accepted"
    rows = {s.unit: s for s in unit_statuses(data_dir, [registry], 2024, 11)}
    assert rows["县发改局"].status == "已报" and rows["县发改局"].published_projects == 2
    assert rows["县财政局"].status == "未报"  # October's progress is not November's
    assert rows["县住建局"].status == "未报"  # a project carried forward, not reported this month
    assert rows["县文旅局"].status == "已报"  # no period, uploaded in December: November's window
    october = {s.unit: s.status for s in unit_statuses(data_dir, [registry], 2024, 10)}
    assert october["县文旅局"] == "未报" and october["县财政局"] == "已报"
    assert report_month(datetime(2025, 1, 5).date()) == (2024, 12)
    assert report_month(datetime(2024, 12, 5).date()) == (2024, 11)
