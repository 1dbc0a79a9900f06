"""The data-quality stage's memory ceiling (xmdw.quality.dialect): the checks run under `CHECK_SETTINGS`' small
ceiling so that what they materialise spills to disk; a rule one of whose operators cannot spill (a nation
warehouse ran out of memory at 128 MB) is run again under the next of `CHECK_MEMORY_STEPS`, and the ceiling is put
back afterwards."""

from __future__ import annotations

import duckdb
import pytest

from xmdw.quality.dialect import check_settings, with_headroom

# A list aggregate keeps every value in memory (it cannot spill): 20 M BIGINTs are ~160 MB.
UNSPILLABLE = "INSERT INTO found SELECT len(list(i)) FROM range(20000000) t(i)"


def _limit(con: duckdb.DuckDBPyConnection) -> str:
    return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]


def test_a_rule_that_cannot_spill_is_run_again_with_more_memory(tmp_path) -> None:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    con.execute("CREATE TABLE found (n BIGINT)")
    with check_settings(con):
        ceiling = _limit(con)
        with pytest.raises(duckdb.OutOfMemoryException):  # the statement does not fit under the ceiling
            con.execute(UNSPILLABLE)
        assert con.execute("SELECT count(*) FROM found").fetchall() == [(0,)]  # and left nothing

        with_headroom(con, lambda: con.execute(UNSPILLABLE))

        assert con.execute("SELECT n FROM found").fetchall() == [(20_000_000,)]  # once, not per attempt
        assert _limit(con) == ceiling  # the other rules keep the small ceiling


def test_other_errors_are_not_retried_and_the_ceiling_is_restored(tmp_path) -> None:
    con = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    attempts: list[int] = []

    def broken() -> None:
        attempts.append(1)
        con.execute("SELECT * FROM no_such_table")

    with check_settings(con):
        ceiling = _limit(con)
        with pytest.raises(duckdb.CatalogException):
            with_headroom(con, broken)
        assert attempts == [1] and _limit(con) == ceiling
