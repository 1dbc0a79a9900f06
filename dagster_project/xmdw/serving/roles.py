"""`xmdw db init`: the database roles of a PostgreSQL warehouse, created idempotently by an administrator.

- `xmdw_owner` (NOLOGIN) owns the warehouse schemas; the pipeline's login is granted it, so dbt and the
  publish act as the owner without the owner being able to log in.
- `xmdw_bi` (LOGIN) is what BI tools connect as: CONNECT on the database, USAGE on schemas marts and ref and
  SELECT on their tables, nothing else. raw, staging, intermediate, build_* and *_prev are refused; it
  cannot create anything (not in public, not a temp table) and its sessions are read-only.
- CREATE on schema public is revoked from PUBLIC, and so are CONNECT and TEMPORARY on the database: only
  the roles above (and superusers) connect.

No role per unit: the submission page (xmdw.web) writes no database rows — it checks an upload in a scratch
DuckDB file and queues the file in data/landing/, and the build loads it. Units never hold a database login.

Each publish re-applies the marts/ref grants in its swap (pg_publish), because the schemas it switches in are
new objects.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlparse

from xmdw.core.engine import BUILD_PREFIX, SWAPPED_SCHEMAS
from xmdw.warehouse.postgres import PgConnection

OWNER_ROLE = "xmdw_owner"
BI_ROLE = "xmdw_bi"
BI_PASSWORD_ENV = "XMDW_BI_PASSWORD"
PREV_SUFFIX = "_prev"
# Schemas the owner holds from the start (dbt creates build_* itself; publishing renames them).
OWNED_SCHEMAS = ("raw", "staging", "intermediate")


@dataclass
class InitReport:
    database: str
    lines: list[str] = field(default_factory=list)  # Chinese, for the operator
    bi_password: str | None = None  # set only when this run generated it (shown once)


def _q(ident: str) -> str:
    return '"' + ident.replace('"', '""') + '"'


def _lit(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def role_exists(pg: PgConnection, name: str) -> bool:
    return pg.execute("SELECT 1 FROM pg_roles WHERE rolname = ?", [name]).fetchone() is not None


def schema_exists(pg: PgConnection, name: str) -> bool:
    return pg.execute("SELECT 1 FROM pg_namespace WHERE nspname = ?", [name]).fetchone() is not None


def refused_schemas() -> tuple[str, ...]:
    """Schemas BI must never read."""
    return (
        *OWNED_SCHEMAS,
        *(BUILD_PREFIX + s for s in SWAPPED_SCHEMAS),
        *(s + PREV_SUFFIX for s in SWAPPED_SCHEMAS),
    )


def grant_bi_select(pg: PgConnection, schema: str) -> None:
    """USAGE on `schema` and SELECT on every table and view in it, for xmdw_bi."""
    pg.execute(f"GRANT USAGE ON SCHEMA {_q(schema)} TO {BI_ROLE}")
    pg.execute(f"GRANT SELECT ON ALL TABLES IN SCHEMA {_q(schema)} TO {BI_ROLE}")


def _owner_role(pg: PgConnection, pipeline_user: str | None, report: InitReport) -> None:
    if role_exists(pg, OWNER_ROLE):
        report.lines.append(f"角色 {OWNER_ROLE} 已存在（数仓各 schema 的所有者，不能登录）")
    else:
        pg.execute(f"CREATE ROLE {OWNER_ROLE} NOLOGIN")
        report.lines.append(f"已创建角色 {OWNER_ROLE}（数仓各 schema 的所有者，不能登录）")
    db = _q(report.database)
    pg.execute(f"GRANT CONNECT, TEMPORARY, CREATE ON DATABASE {db} TO {OWNER_ROLE}")
    if pipeline_user and pipeline_user != OWNER_ROLE:
        if not role_exists(pg, pipeline_user):
            raise ValueError(
                f"数据库中没有登录名 {pipeline_user}（流水线使用的账号），请先创建或检查 XMDW_PG_DSN"
            )
        pg.execute(f"GRANT {OWNER_ROLE} TO {_q(pipeline_user)}")
        report.lines.append(f"流水线登录名 {pipeline_user} 已获得 {OWNER_ROLE} 的权限")
    for schema in OWNED_SCHEMAS:
        pg.execute(f"CREATE SCHEMA IF NOT EXISTS {_q(schema)} AUTHORIZATION {OWNER_ROLE}")
        pg.execute(f"ALTER SCHEMA {_q(schema)} OWNER TO {OWNER_ROLE}")
    report.lines.append(f"schema {'、'.join(OWNED_SCHEMAS)} 归 {OWNER_ROLE} 所有")


def _bi_role(pg: PgConnection, password: str | None, report: InitReport) -> None:
    if role_exists(pg, BI_ROLE):
        if password:
            pg.execute(f"ALTER ROLE {BI_ROLE} LOGIN PASSWORD {_lit(password)}")
            report.lines.append(f"角色 {BI_ROLE} 已存在，密码已按 {BI_PASSWORD_ENV} 更新")
        else:
            report.lines.append(f"角色 {BI_ROLE} 已存在，密码未改动")
    else:
        if not password:
            password = report.bi_password = secrets.token_urlsafe(18)
        pg.execute(
            f"CREATE ROLE {BI_ROLE} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION "
            f"PASSWORD {_lit(password)}"
        )
        report.lines.append(f"已创建 BI 只读账号 {BI_ROLE}")
    # Read-only sessions on top of the grants: even a grant made by mistake cannot write.
    pg.execute(f"ALTER ROLE {BI_ROLE} SET default_transaction_read_only = on")
    pg.execute(f"GRANT CONNECT ON DATABASE {_q(report.database)} TO {BI_ROLE}")
    for schema in refused_schemas():
        if schema_exists(pg, schema):
            pg.execute(f"REVOKE ALL ON ALL TABLES IN SCHEMA {_q(schema)} FROM {BI_ROLE}")
            pg.execute(f"REVOKE ALL ON SCHEMA {_q(schema)} FROM {BI_ROLE}")
    granted = [s for s in SWAPPED_SCHEMAS if schema_exists(pg, s)]
    for schema in granted:
        grant_bi_select(pg, schema)
    if granted:
        report.lines.append(f"{BI_ROLE} 可读取 {'、'.join(granted)} 中的表（只读），其他 schema 一律拒绝")
    else:
        report.lines.append(f"尚未发布 marts/ref：首次发布时自动授予 {BI_ROLE} 只读权限")


def _lock_down_public(pg: PgConnection, report: InitReport) -> None:
    pg.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    pg.execute(f"REVOKE ALL ON DATABASE {_q(report.database)} FROM PUBLIC")
    report.lines.append("已收回 PUBLIC 在 public schema 上的建表权限，以及连接本库、建临时表的默认权限")


def init_roles(
    admin_dsn: str, pipeline_user: str | None = None, bi_password: str | None = None
) -> InitReport:
    """Create or update the roles and grants, in one transaction (all or nothing). `admin_dsn` is a
    superuser's (or the database owner's with CREATEROLE). `pipeline_user`: the login the pipeline uses,
    default the user of XMDW_PG_DSN, else the admin's. `bi_password`: default env XMDW_BI_PASSWORD; without
    one a new xmdw_bi gets a generated password, returned once in the report."""
    bi_password = bi_password or os.environ.get(BI_PASSWORD_ENV) or None
    if pipeline_user is None:
        pipeline_user = urlparse(os.environ.get("XMDW_PG_DSN") or admin_dsn).username
    pg = PgConnection(admin_dsn)
    try:
        database = pg.execute("SELECT current_database()").fetchone()[0]  # type: ignore[index]
        report = InitReport(database)
        pg.begin()
        _owner_role(pg, pipeline_user, report)
        _bi_role(pg, bi_password, report)
        _lock_down_public(pg, report)
        pg.commit()
    except BaseException:
        pg.rollback()
        raise
    finally:
        pg.close()
    return report
