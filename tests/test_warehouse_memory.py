"""The warehouse's DuckDB memory ceiling (XMDW_DUCKDB_MEMORY_LIMIT, default 4 GB): xmdw's connections and dbt's
profile get it, so a nation build spills beside the file instead of growing to most of the machine's RAM."""

from __future__ import annotations

from pathlib import Path

import duckdb
import yaml

from xmdw.core.settings import DUCKDB_MEMORY_LIMIT_DEFAULT
from xmdw.warehouse.connect import connection

PROFILES = Path(__file__).resolve().parent.parent / "dbt_models" / "profiles.yml"


def _as_duckdb_reports(limit: str) -> str:
    with duckdb.connect() as con:  # the same value as DuckDB prints it back ("3.7 GiB")
        con.execute(f"SET memory_limit = '{limit}'")
        return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]


def _limit_of(path: Path, read_only: bool = False) -> str:
    with connection(path, read_only=read_only) as con:
        return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]


def test_warehouse_connections_get_the_ceiling(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("XMDW_DUCKDB_MEMORY_LIMIT", raising=False)
    path = tmp_path / "warehouse.duckdb"
    assert _limit_of(path) == _as_duckdb_reports(DUCKDB_MEMORY_LIMIT_DEFAULT)
    monkeypatch.setenv("XMDW_DUCKDB_MEMORY_LIMIT", "1GB")
    assert _limit_of(path, read_only=True) == _as_duckdb_reports("1GB")
    with connection(path), duckdb.connect(str(path)) as other:  # a plain connection beside it still opens
        assert other.execute("SELECT 1").fetchall() == [(1,)]


def test_dbt_profile_reads_the_same_variable() -> None:
    duck = yaml.safe_load(PROFILES.read_text(encoding="utf-8"))["xmdw"]["outputs"]["duckdb"]
    assert duck["settings"]["memory_limit"] == (
        "{{ env_var('XMDW_DUCKDB_MEMORY_LIMIT', '" + DUCKDB_MEMORY_LIMIT_DEFAULT + "') }}"
    )
