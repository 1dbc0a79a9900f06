"""Batch ingestion into a real DuckDB file: quarantine, idempotence, revisions, reconciliation."""

from __future__ import annotations

import json
import os

import duckdb
from ledgers import PROGRESS_HEADER, write_csv, write_xlsx

from xmdw.ingestion.batch import ingest_landing


def _q(paths, sql, params=()):
    con = duckdb.connect(str(paths.warehouse), read_only=True)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def _progress_file(path, rows):
    return write_xlsx(path, [PROGRESS_HEADER, *rows])


def test_bad_files_are_quarantined_with_reason_and_the_batch_goes_on(data_dir):
    land = data_dir.landing
    _progress_file(land / "a_good.xlsx", [["P1", "甲", 2024, 3, 100, 500]])
    (land / "b_broken.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    write_xlsx(
        land / "c_missing.xlsx",
        [["项目编号", "项目名称", "年度", "月份"], ["P1", "甲", 2024, 3]],
        sheet="进度",
    )
    (land / "d_notes.docx").write_bytes(b"whatever")
    _progress_file(land / "e_good.xlsx", [["P2", "乙", 2024, 3, 10, 50]])
    for i, name in enumerate(sorted(os.listdir(land))):  # submission order = name order
        os.utime(land / name, (1_700_000_000 + i, 1_700_000_000 + i))

    batch = ingest_landing(data_dir)

    assert [(o.file_name, o.status) for o in batch.outcomes] == [
        ("a_good.xlsx", "accepted"),
        ("b_broken.xlsx", "quarantined"),
        ("c_missing.xlsx", "quarantined"),
        ("d_notes.docx", "quarantined"),
        ("e_good.xlsx", "accepted"),
    ]
    assert list(land.iterdir()) == []  # landing emptied, nothing lost:
    for name in ("b_broken.xlsx", "c_missing.xlsx", "d_notes.docx"):
        assert (data_dir.quarantine / name).exists()
        reason = json.loads((data_dir.quarantine / f"{name}.reason.json").read_text(encoding="utf-8"))
        assert set(reason) >= {"rule", "sheet", "row", "column", "message_zh", "message_en"}
    missing = json.loads((data_dir.quarantine / "c_missing.xlsx.reason.json").read_text(encoding="utf-8"))
    assert (missing["rule"], missing["sheet"], missing["row"], missing["column"]) == (
        "ING-F1",
        "进度",
        1,
        "本年完成投资",
    )
    assert "缺少必需列" in missing["message_zh"] and "required column" in missing["message_en"]
    assert _q(data_dir, "SELECT project_id FROM raw.monthly_progress ORDER BY 1") == [("P1",), ("P2",)]
    assert _q(data_dir, "SELECT status, count(*) FROM raw.ingest_log GROUP BY 1 ORDER BY 1") == [
        ("accepted", 2),
        ("quarantined", 3),
    ]
    archived = list(data_dir.archive.rglob("*.xlsx"))
    assert sorted(p.name for p in archived) == ["a_good.xlsx", "e_good.xlsx"]
    assert all(
        p.parent.name == p.parent.parent.name + p.parent.name[2:] for p in archived
    )  # archive/<h2>/<sha>/


def test_same_file_twice_loads_nothing_new(data_dir):
    src = _progress_file(data_dir.root / "src.xlsx", [["P1", "甲", 2024, 3, 100, 500]])
    (data_dir.landing / "p.xlsx").write_bytes(src.read_bytes())
    first = ingest_landing(data_dir)
    (data_dir.landing / "p_again.xlsx").write_bytes(src.read_bytes())  # same bytes, other name
    second = ingest_landing(data_dir)
    assert first.outcomes[0].status == "accepted" and second.outcomes[0].status == "duplicate"
    assert _q(data_dir, "SELECT count(*) FROM raw.monthly_progress") == [(1,)]
    assert second.total("rows_loaded") == 0


def test_corrected_resubmission_supersedes_and_changes_are_queryable(data_dir):
    _progress_file(
        data_dir.landing / "县交通局_2024年03月.xlsx",
        [["P1", "甲", 2024, 3, 100, 500], ["P2", "乙", 2024, 3, 40, 90]],
    )
    ingest_landing(data_dir)
    _progress_file(data_dir.landing / "县交通局_2024年03月_更正.xlsx", [["P1", "甲", 2024, 3, 120, 520]])
    batch = ingest_landing(data_dir)
    assert batch.outcomes[0].rows_revised == 1

    rows = _q(
        data_dir,
        "SELECT project_id, ytd_completed, _revision, _source_file FROM raw.monthly_progress "
        "ORDER BY project_id, _revision",
    )
    assert [(r[0], float(r[1]), r[2]) for r in rows] == [("P1", 100, 1), ("P1", 120, 2), ("P2", 40, 1)]
    changes = _q(
        data_dir,
        "SELECT column_name, old_value, new_value, old_revision, new_revision, old_file, new_file "
        "FROM raw.revision_changes ORDER BY column_name",
    )
    assert [c[:5] for c in changes] == [
        ("since_start_completed", "500.0000", "520.0000", 1, 2),
        ("ytd_completed", "100.0000", "120.0000", 1, 2),
    ]
    assert changes[0][5:] == ("县交通局_2024年03月.xlsx", "县交通局_2024年03月_更正.xlsx")
    # what later layers read: the latest revision per natural key (same macro logic as staging)
    latest = _q(
        data_dir,
        """
        SELECT project_id, ytd_completed FROM (
          SELECT *, row_number() OVER (PARTITION BY project_id, year, month, basis ORDER BY _revision DESC) rn
          FROM raw.monthly_progress) WHERE rn = 1 ORDER BY 1""",
    )
    assert [(r[0], float(r[1])) for r in latest] == [("P1", 120), ("P2", 40)]


def test_rows_reconcile_per_file_in_the_warehouse(data_dir):
    write_xlsx(
        data_dir.landing / "recon.xlsx",
        [
            ["2024年6月投资台账"],
            ["单位：万元"],
            PROGRESS_HEADER,
            ["P1", "甲", 2024, 6, 100, 500],
            ["P2", "乙", 2024, 6, "n/a?", 500],
            [],
            ["合计", None, None, None, 100, 1000],
            ["填报人：王五"],
        ],
    )
    write_csv(
        data_dir.landing / "recon.csv",
        [PROGRESS_HEADER, ["P3", "丙", 2024, 6, 1, 2], ["小计", "", "", "", 1, 2]],
        "gbk",
    )
    ingest_landing(data_dir)
    for file_id, read, loaded, rejected, skipped in _q(
        data_dir, "SELECT file_id, rows_read, rows_loaded, rows_rejected, rows_skipped FROM raw.ingest_log"
    ):
        assert read == loaded + rejected + skipped
        assert _q(data_dir, "SELECT count(*) FROM raw.monthly_progress WHERE _file_id = ?", [file_id]) == [
            (loaded,)
        ]
        assert _q(
            data_dir,
            "SELECT count(DISTINCT (sheet, source_row)) FROM raw.rejected_rows WHERE file_id = ?",
            [file_id],
        ) == [(rejected,)]
        assert _q(data_dir, "SELECT count(*) FROM raw.skipped_rows WHERE file_id = ?", [file_id]) == [
            (skipped,)
        ]
    assert _q(
        data_dir, "SELECT sum(rows_read), sum(rows_loaded), sum(rows_rejected) FROM raw.ingest_log"
    ) == [(11, 2, 1)]
