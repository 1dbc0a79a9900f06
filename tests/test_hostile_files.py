"""Hostile landing entries and resource limits: links, devices, FIFOs, folders named like files, zip bombs,
sparse sheets, oversized files, names of any length or character, owner-only permissions."""

from __future__ import annotations

import json
import os
import stat
import time
from pathlib import Path

import duckdb
import pytest
import xlsxwriter
from corpus.zipcraft import shared_strings_bomb
from ledgers import PROGRESS_HEADER, write_xlsx

from xmdw.ingestion.batch import ingest_landing, ingest_paths
from xmdw.ingestion.landing import scan_landing
from xmdw.ingestion.safe_io import safe_name


def _q(paths, sql, params=()):
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _good(path: Path, pid: str = "P1") -> Path:
    return write_xlsx(path, [PROGRESS_HEADER, [pid, "甲", 2024, 3, 100, 500]])


def _reasons(paths) -> dict[str, dict]:
    return {p.name: json.loads(p.read_text(encoding="utf-8")) for p in paths.quarantine.glob("*.reason.json")}


def _all_bytes_under(root: Path) -> bytes:
    out = b""
    for dirpath, _, names in os.walk(root):
        for n in names:
            p = Path(dirpath) / n
            if stat.S_ISREG(p.lstat().st_mode) and p.suffix != ".duckdb":
                out += p.read_bytes()
    return out


def test_symlink_fifo_and_folder_named_like_a_file_are_moved_aside_unread(data_dir):
    land = data_dir.landing
    secret = data_dir.root.parent / "secret.csv"
    secret.write_text("项目编号,项目名称\nSECRET-ROW-42,秘密\n", encoding="utf-8")
    os.symlink(secret, land / "link.csv")
    os.symlink("/etc/passwd", land / "passwd.xlsx")
    os.mkfifo(land / "pipe.csv")  # opening it for reading would block the run forever
    (land / "台账.xlsx").mkdir()
    (land / "台账.xlsx" / "inside.csv").write_text("x", encoding="utf-8")
    (land / "sub").mkdir()
    _good(land / "sub" / "ok.xlsx")

    batch = ingest_landing(data_dir)

    by_name = {o.file_name: o for o in batch.outcomes}
    assert by_name["ok.xlsx"].status == "accepted"
    for name in ("link.csv", "passwd.xlsx", "pipe.csv", "台账.xlsx"):
        assert by_name[name].status == "quarantined" and by_name[name].reason.rule == "ING-NOTFILE", name
        assert os.path.lexists(data_dir.quarantine / name)
    assert (data_dir.quarantine / "link.csv").is_symlink()  # moved as a link, never followed
    assert stat.S_ISFIFO((data_dir.quarantine / "pipe.csv").lstat().st_mode)
    assert "/etc/passwd" in _reasons(data_dir)["passwd.xlsx.reason.json"]["message_zh"]
    assert not [p for p in land.rglob("*") if p.name != "sub"]  # landing holds nothing to meet again
    stored = _all_bytes_under(data_dir.root)
    assert b"SECRET-ROW-42" not in stored and b"root:x:0:0" not in stored
    assert _q(data_dir, "SELECT count(*) FROM raw.ingest_log WHERE reason_rule = 'ING-NOTFILE'") == [(4,)]


@pytest.mark.skipif(os.geteuid() != 0, reason="creating a device node needs root")
def test_device_node_is_refused_without_opening_it(data_dir):
    os.mknod(data_dir.landing / "zero.csv", 0o600 | stat.S_IFCHR, os.makedev(1, 5))  # /dev/zero
    batch = ingest_landing(data_dir)
    assert [(o.status, o.reason.rule) for o in batch.outcomes] == [("quarantined", "ING-NOTFILE")]
    assert stat.S_ISCHR((data_dir.quarantine / "zero.csv").lstat().st_mode)


def test_a_file_swapped_for_a_link_after_listing_is_not_followed(data_dir):
    link = data_dir.landing / "swapped.csv"
    os.symlink("/etc/passwd", link)
    con = duckdb.connect(str(data_dir.warehouse))
    try:
        batch = ingest_paths([link], data_dir, con)  # as if it had been a regular file at listing time
    finally:
        con.close()
    assert batch.outcomes[0].reason.rule == "ING-NOTFILE"
    assert b"root:x:0:0" not in _all_bytes_under(data_dir.root)


def test_shared_strings_zip_bomb_is_refused_from_the_zip_directory(data_dir, tmp_path):
    good = _good(tmp_path / "good.xlsx")
    bomb = shared_strings_bomb(good, data_dir.landing / "bomb.xlsx", expanded_bytes=2 * 1024**3)
    assert bomb.stat().st_size < 4 * 1024**2  # small on disk, 2 GB inflated
    _good(data_dir.landing / "after.xlsx", "P2")

    started = time.process_time()  # this process's CPU time: what inflating would cost, whatever the load
    batch = ingest_landing(data_dir)
    elapsed = time.process_time() - started

    by_name = {o.file_name: o for o in batch.outcomes}
    assert by_name["bomb.xlsx"].reason.rule == "ING-LIMIT"
    assert "XMDW_MAX_UNZIPPED_MB" in by_name["bomb.xlsx"].reason.message_zh
    assert by_name["after.xlsx"].status == "accepted"
    assert elapsed < 10  # inflating it would take minutes and gigabytes; the refusal reads the directory only


def test_sparse_sheet_that_would_allocate_the_whole_grid_is_refused(data_dir):
    path = data_dir.landing / "sparse.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("进度")
    for c, h in enumerate(PROGRESS_HEADER):
        ws.write(0, c, h)
    ws.write(1_048_575, 16_383, "x")  # XFD1048576: 17 billion cells if the reader allocated the rectangle
    wb.close()
    batch = ingest_landing(data_dir)  # without the scan the process aborts (Rust OOM), no exception
    assert batch.outcomes[0].reason.rule == "ING-LIMIT"
    assert batch.outcomes[0].reason.sheet == "进度"


def test_limits_are_settings(data_dir, monkeypatch):
    _good(data_dir.landing / "a.xlsx")
    rows = [PROGRESS_HEADER, *[[f"P{i}", "甲", 2024, 3, i, i] for i in range(30)]]
    write_xlsx(data_dir.landing / "b.xlsx", rows)
    (data_dir.landing / "c.csv").write_text("项目编号,项目名称\n" + "x" * 30000 + ",y\n", encoding="utf-8")
    monkeypatch.setenv("XMDW_MAX_ROWS", "20")
    monkeypatch.setenv("XMDW_MAX_CELL_CHARS", "100")
    monkeypatch.setenv("XMDW_MAX_FILE_MB", "0.02")  # 20 KB: c.csv is over it
    batch = ingest_landing(data_dir)
    by_name = {o.file_name: o for o in batch.outcomes}
    assert by_name["a.xlsx"].status == "accepted"
    assert (
        by_name["b.xlsx"].reason.rule == "ING-LIMIT"
        and "XMDW_MAX_ROWS" in by_name["b.xlsx"].reason.message_zh
    )
    assert (
        by_name["c.csv"].reason.rule == "ING-LIMIT"
        and "XMDW_MAX_FILE_MB" in by_name["c.csv"].reason.message_zh
    )


def test_names_of_any_length_or_character_are_stored_safely(data_dir):
    land = data_dir.landing
    long_name = "县交通局" * 20 + ".xlsx"  # 243 bytes: with .reason.json over NAME_MAX
    (land / long_name).write_bytes(b"PK\x03\x04 broken")
    (land / "两行\n名字.csv").write_bytes(b"\x00\x01 not a ledger")
    gbk_name = os.fsdecode("台账".encode("gbk") + b".csv")  # a zip unpacked from Windows: GBK bytes
    (land / gbk_name).write_bytes(b"garbage")
    _good(land / "坏_bad.xlsx")
    for p in land.iterdir():
        os.utime(p, (1_700_000_000, 1_700_000_000))

    batch = ingest_landing(data_dir)

    assert sorted(o.status for o in batch.outcomes) == [
        "accepted",
        "quarantined",
        "quarantined",
        "quarantined",
    ]
    reasons = {r["file"]: r for r in _reasons(data_dir).values()}
    assert reasons[long_name]["stored_as"] == safe_name(long_name)
    assert len(reasons[long_name]["stored_as"].encode()) <= 200
    assert (data_dir.quarantine / safe_name(long_name)).exists()
    assert "两行\n名字.csv" in reasons and (data_dir.quarantine / "两行_名字.csv").exists()
    assert any("\ufffd" in f for f in reasons)  # the GBK name, shown with replacement characters
    logged = {r[0] for r in _q(data_dir, "SELECT file_name FROM raw.ingest_log WHERE status = 'quarantined'")}
    assert long_name in logged and "两行\n名字.csv" in logged


def test_safe_name_keeps_short_names_and_separates_long_ones():
    assert safe_name("县交通局_2024年03月.xlsx") == "县交通局_2024年03月.xlsx"
    a, b = safe_name("甲" * 100 + "1.xlsx"), safe_name("甲" * 100 + "2.xlsx")
    assert a != b and a.endswith(".xlsx") and len(a.encode()) <= 200
    assert safe_name(".hidden.csv") == "_.hidden.csv"


def test_files_ingestion_writes_are_owner_only(data_dir):
    _good(data_dir.landing / "ok.xlsx")
    (data_dir.landing / "bad.xlsx").write_bytes(b"PK\x03\x04 broken")
    for p in data_dir.landing.iterdir():
        os.chmod(p, 0o644)
        os.utime(p, (1_700_000_000, 1_700_000_000))
    ingest_landing(data_dir)
    written = [p for p in [*data_dir.archive.rglob("*"), *data_dir.quarantine.rglob("*")] if p.is_file()]
    assert len(written) == 3  # archived ok.xlsx, quarantined bad.xlsx and its reason
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o600 for p in written), written
    assert stat.S_IMODE(data_dir.warehouse.stat().st_mode) & 0o077 == 0


def test_scan_sees_links_to_folders_as_links(data_dir, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    _good(outside / "x.xlsx")
    os.symlink(outside, data_dir.landing / "linked_folder")
    scan = scan_landing(data_dir.landing)
    assert scan.files == [] and [k for _, k in scan.refused] == ["symlink"]
