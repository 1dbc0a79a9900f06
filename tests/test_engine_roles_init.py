"""`xmdw db init` on a real PostgreSQL server (fails, never skips, if it cannot start): the roles, the
password shown once, idempotence, and what PUBLIC and xmdw_bi may do afterwards."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlparse

import psycopg2
import pytest

from xmdw.serving.roles import BI_ROLE, OWNER_ROLE
from xmdw.warehouse.postgres import PgConnection

XMDW = str(Path(sys.executable).with_name("xmdw"))


def drop_roles(dsn: str) -> None:
    """Roles are per server, not per database: start from none (earlier tests' databases are dropped)."""
    pg = PgConnection(dsn)
    for role in (BI_ROLE, OWNER_ROLE):
        if pg.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", [role]).fetchone():
            pg.execute(f"DROP OWNED BY {role}")
            pg.execute(f"DROP ROLE {role}")
    pg.close()


def db_init(dsn: str, bi_password: str | None = None) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("XMDW_BI_PASSWORD", "XMDW_PG_DSN", "XMDW_ENGINE")}
    if bi_password:
        env["XMDW_BI_PASSWORD"] = bi_password
    return subprocess.run(
        [XMDW, "db", "init", "--admin-dsn", dsn], env=env, capture_output=True, text=True, timeout=120
    )


def as_role(dsn: str, user: str, password: str) -> str:
    url = urlparse(dsn)
    return f"postgresql://{user}:{password}@{url.hostname}:{url.port}{url.path}"


def test_db_init_creates_the_roles_once_and_shows_the_password_once(pg_database: str) -> None:
    drop_roles(pg_database)
    first = db_init(pg_database)
    assert first.returncode == 0, first.stderr
    assert "已创建角色 xmdw_owner" in first.stdout and "已创建 BI 只读账号 xmdw_bi" in first.stdout
    assert "只显示这一次" in first.stdout
    password = first.stdout.rstrip().splitlines()[-1].strip()
    assert len(password) >= 20

    again = db_init(pg_database)
    assert again.returncode == 0, again.stderr
    assert "角色 xmdw_bi 已存在，密码未改动" in again.stdout and "只显示这一次" not in again.stdout
    assert password not in again.stdout

    bi = psycopg2.connect(as_role(pg_database, BI_ROLE, password))  # the password shown still works
    bi.close()
    pg = PgConnection(pg_database)
    owner_login, bi_login = (
        pg.execute("SELECT rolcanlogin FROM pg_roles WHERE rolname = ?", [r]).fetchone()[0]
        for r in (OWNER_ROLE, BI_ROLE)
    )
    assert owner_login is False and bi_login is True
    admin = urlparse(pg_database).username
    assert pg.execute("SELECT pg_has_role(?, ?, 'MEMBER')", [admin, OWNER_ROLE]).fetchone()[0]
    owners = dict(
        pg.execute(
            "SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname IN "
            "('raw', 'staging', 'intermediate')"
        ).fetchall()
    )
    assert owners == {"raw": OWNER_ROLE, "staging": OWNER_ROLE, "intermediate": OWNER_ROLE}
    database = pg.execute("SELECT current_database()").fetchone()[0]
    assert not pg.execute("SELECT has_schema_privilege('public', 'public', 'CREATE')").fetchone()[0]
    assert not pg.execute("SELECT has_database_privilege('public', ?, 'TEMPORARY')", [database]).fetchone()[0]
    assert not pg.execute("SELECT has_database_privilege(?, ?, 'TEMPORARY')", [BI_ROLE, database]).fetchone()[
        0
    ]
    pg.close()


def test_db_init_sets_the_given_bi_password(pg_database: str) -> None:
    done = db_init(pg_database, bi_password="given-pw-for-bi-7")
    assert done.returncode == 0, done.stderr
    assert "只显示这一次" not in done.stdout
    psycopg2.connect(as_role(pg_database, BI_ROLE, "given-pw-for-bi-7")).close()
    with pytest.raises(psycopg2.OperationalError):
        psycopg2.connect(as_role(pg_database, BI_ROLE, "wrong-password")).close()


def test_db_init_without_a_dsn_says_what_is_missing(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("XMDW_PG_ADMIN_DSN", "XMDW_PG_DSN", "XMDW_ENGINE")
    }
    done = subprocess.run([XMDW, "db", "init"], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "缺少管理员连接" in done.stderr
