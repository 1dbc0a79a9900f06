"""Publishing on both engines, small and fast: the personal-data guard (DuckDB and PostgreSQL) and the served
copy written from the server's tables (types, NULL vs '', the data version). Real DuckDB files, a real
PostgreSQL server (the test fails if it cannot start)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from xmdw.core.engine import EngineSettings
from xmdw.serving import PublishError, publish, publish_warehouse, serving_paths
from xmdw.serving.personal_guard import unmasked_predicate
from xmdw.serving.versions import list_versions
from xmdw.warehouse.postgres import PgConnection

# (kind, value, unmasked?) — what mask_personal writes passes, what a unit typed does not.
GUARD_CASES = [
    ("name", "张**", False),
    ("name", "张", False),  # a one-character name is its own mask
    ("name", "欧**", False),
    ("name", "张三丰", True),
    ("name", "欧阳**", True),  # two characters visible: more than the mask leaves
    ("phone", "138****5678", False),
    ("phone", "091****3456", False),
    ("phone", "13812345678", True),
    ("phone", "0916-3123456", True),
    ("phone", "", False),
    ("phone", None, False),
    ("id_number", "610728********123X", False),
    ("id_number", "61072819800101123X", True),
    ("id_number", "610728****0101123X", True),
]


def test_guard_tells_masked_from_unmasked_values() -> None:
    con = duckdb.connect()
    for kind, value, unmasked in GUARD_CASES:
        sql = f"SELECT coalesce({unmasked_predicate('v', kind)}, false) FROM (SELECT ?::VARCHAR AS v)"
        got = con.execute(sql, [value]).fetchone()[0]
        assert got is unmasked, (kind, value)


def _warehouse(path: Path, contacts: list[tuple[str, str | None, str | None]]) -> Path:
    """A build warehouse whose marts carry personal columns, named as a future mart might name them."""
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA ref")
    con.execute("CREATE TABLE ref.dim_region AS SELECT '610728' AS region_code, '镇巴县' AS name_zh")
    con.execute(
        'CREATE TABLE marts.mart_contacts (project_id VARCHAR, owner_contact_phone VARCHAR, "联系人" VARCHAR)'
    )
    con.executemany("INSERT INTO marts.mart_contacts VALUES (?, ?, ?)", contacts)
    con.close()
    return path


MASKED = [("P1", "138****5678", "张**"), ("P2", None, "李*"), ("P3", "091****3456", None)]


def test_publish_refuses_unmasked_personal_data_and_keeps_the_served_copy(tmp_path: Path) -> None:
    serving = tmp_path / "serving"
    first = publish_warehouse(
        _warehouse(tmp_path / "good.duckdb", MASKED), serving, settings=EngineSettings(), xlsx=False
    )
    assert first.tables["marts.mart_contacts"] == 3
    leaking = [*MASKED, ("P4", "13812345678", "王*"), ("P5", "139****0000", "赵六")]
    with pytest.raises(PublishError) as err:
        publish(_warehouse(tmp_path / "bad.duckdb", leaking), serving, xlsx=False)
    message = str(err.value)
    assert "marts.mart_contacts 列 owner_contact_phone" in message and "联系电话" in message
    assert "列 联系人" in message and "未脱敏" in message
    assert "13812345678" not in message and "赵六" not in message  # the message must not leak it either
    # nothing was published: the served file, the manifest and the versions are the first publish's
    paths = serving_paths(serving)
    assert [v.version_id for v in list_versions(serving)] == [first.version_id]
    assert json.loads(paths.manifest.read_text(encoding="utf-8"))["version_id"] == first.version_id
    served = duckdb.connect(str(paths.duckdb), read_only=True)
    assert served.execute("SELECT count(*) FROM marts.mart_contacts").fetchone()[0] == 3
    served.close()
    assert not paths.duckdb_tmp.exists()


# --- the served copy written from PostgreSQL ------------------------------------------------------------

ODD_TEXT = ["", None, "\\N", 'a,"b"', "两行\n文本", "镇巴县"]


def _server_build(dsn: str) -> None:
    """build_marts / build_ref as dbt leaves them on a server, with the types marts use."""
    pg = PgConnection(dsn)
    pg.execute("CREATE SCHEMA build_marts; CREATE SCHEMA build_ref; CREATE SCHEMA raw")
    pg.execute(
        "CREATE TABLE build_marts.t (i integer, b bigint, money numeric(18,4), share numeric, f double "
        "precision, txt varchar, ok boolean, d date, ts timestamp)"
    )
    for i, txt in enumerate(ODD_TEXT):
        pg.execute(
            "INSERT INTO build_marts.t VALUES (?, ?, ?, 1 / 3.0, 0.1, ?, ?, DATE '2024-12-31', "
            "TIMESTAMP '2024-12-31 23:59:58.5')",
            [i, 10**12 + i, Decimal("12345678901234.5678"), txt, i % 2 == 0],
        )
    pg.execute("CREATE TABLE build_ref.r AS SELECT '610728'::varchar AS region_code")
    pg.execute(
        "CREATE TABLE raw.ingest_log (file_id varchar, file_name varchar, sha256 varchar, entity varchar, "
        "submitting_unit varchar, region_code varchar, period_year integer, period_month integer, "
        "rows_loaded bigint, rows_rejected bigint, rows_revised bigint, ingested_at timestamp, status varchar)"
    )
    for n, status in enumerate(["accepted", "accepted", "quarantined"]):
        pg.execute(
            "INSERT INTO raw.ingest_log VALUES (?, ?, ?, 'projects', '县发改局', '610728', 2024, 12, 5, 0, 0, "
            "TIMESTAMP '2025-01-08 09:30:00', ?)",
            [f"f{n}", f"台账{n}.xlsx", f"{n}" * 64, status],
        )
    pg.close()


def test_served_copy_from_the_server_keeps_values_exactly(pg_database: str, tmp_path: Path) -> None:
    _server_build(pg_database)
    serving = tmp_path / "serving"
    settings = EngineSettings("postgres", pg_database)  # what XMDW_ENGINE=postgres + XMDW_PG_DSN give
    expected = {"marts": {"t"}, "ref": {"r"}}
    result = publish_warehouse(
        tmp_path / "no-such.duckdb", serving, settings=settings, run_id="r1", xlsx=False, expected=expected
    )
    assert result.tables == {"marts.t": 6, "ref.r": 1}
    con = duckdb.connect(str(result.duckdb_path), read_only=True)
    types = dict(
        con.execute(
            "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = 't'"
        ).fetchall()
    )
    assert types == {
        "i": "INTEGER", "b": "BIGINT", "money": "DECIMAL(18,4)", "share": "DOUBLE", "f": "DOUBLE",
        "txt": "VARCHAR", "ok": "BOOLEAN", "d": "DATE", "ts": "TIMESTAMP",
    }  # fmt: skip
    rows = con.execute("SELECT i, b, money, share, f, txt, ok, d, ts FROM marts.t ORDER BY i").fetchall()
    assert [r[5] for r in rows] == ODD_TEXT  # '' stays '', NULL stays NULL, a literal \N stays text
    assert {r[2] for r in rows} == {Decimal("12345678901234.5678")}
    assert rows[0][:2] == (0, 10**12) and rows[1][6] is False and rows[0][6] is True
    assert abs(rows[0][3] - 1 / 3) < 1e-12 and rows[0][4] == 0.1
    assert rows[0][7] == dt.date(2024, 12, 31) and rows[0][8] == dt.datetime(2024, 12, 31, 23, 59, 58, 500000)
    # the data version records the server's input files; the served copy carries its id
    assert con.execute("SELECT version_id FROM meta.publish_version").fetchone()[0] == result.version_id
    con.close()
    info = list_versions(serving)[-1].info()
    assert info["inputs"]["files"] == 2 and info["run_id"] == "r1"
    # on the server: build_* became marts/ref
    pg = PgConnection(pg_database)
    schemas = {r[0] for r in pg.execute("SELECT nspname FROM pg_namespace").fetchall()}
    assert {"marts", "ref"} <= schemas and not {"build_marts", "build_ref"} & schemas
    assert pg.execute("SELECT count(*) FROM marts.t").fetchone()[0] == 6
    # the same SQL names the version on the server and in the served copy (switched in the same commit)
    assert pg.execute("SELECT version_id, run_id FROM meta.publish_version").fetchall() == [
        (result.version_id, "r1")
    ]
    pg.close()
