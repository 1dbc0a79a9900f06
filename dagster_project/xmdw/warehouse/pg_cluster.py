"""A PostgreSQL cluster of our own, in a folder: the throwaway server of the tests and of `make run` with
XMDW_ENGINE=postgres on a machine that has only Debian's `postgresql` package.

Never a production server: a province's DBA runs that one (docs/deploy.md). Here `initdb` writes a cluster
into `folder`, the server listens on 127.0.0.1:<port> (and a Unix socket inside the folder, so it never
collides with a system cluster), the superuser's password is random and kept in the folder (0600), and
`stop` shuts it down. As root, the server programs run as Debian's `postgres` account (initdb refuses root).
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

SUPERUSER = "xmdw_admin"
DATABASE = "xmdw"
_PASSWORD_FILE = "superuser.password"
_PORT_FILE = "port"


class ClusterError(RuntimeError):
    """The local PostgreSQL server could not be created or started (the message says why)."""


def bin_dir() -> Path:
    """Where Debian puts the server programs (initdb and pg_ctl are not on PATH there)."""
    for candidate in sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True):
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise ClusterError(
        "PostgreSQL server programs not found (initdb): install Debian's `postgresql` package "
        "(`make postgres` does)"
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass(frozen=True)
class Cluster:
    folder: Path
    port: int
    password: str

    @property
    def pgdata(self) -> Path:
        return self.folder / "pgdata"

    def dsn(self, user: str = SUPERUSER, password: str | None = None, database: str = DATABASE) -> str:
        secret = self.password if password is None else password
        return f"postgresql://{user}:{secret}@127.0.0.1:{self.port}/{database}"


def _as_server_user(cmd: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: run them as Debian's `postgres` account then."""
    if os.geteuid() != 0:
        return cmd
    return ["runuser", "-u", "postgres", "--", *cmd]


def _run(cmd: list[str], what: str) -> None:
    done = subprocess.run(_as_server_user(cmd), capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise ClusterError(f"{what} failed ({done.returncode}): {done.stderr.strip() or done.stdout.strip()}")


def _give_to_server_user(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres", "postgres")


def create(folder: Path, port: int | None = None) -> Cluster:
    """initdb a new cluster into `folder` (which must not hold one yet) and create the `xmdw` database."""
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)
    _give_to_server_user(folder)
    password = secrets.token_urlsafe(18)
    pwfile = folder / _PASSWORD_FILE
    pwfile.write_text(password, encoding="utf-8")
    pwfile.chmod(0o600)
    _give_to_server_user(pwfile)
    cluster = Cluster(folder, port or free_port(), password)
    _run(
        [
            str(bin_dir() / "initdb"),
            "-D", str(cluster.pgdata),
            "-U", SUPERUSER,
            f"--pwfile={pwfile}",
            "--auth=scram-sha-256",
            "--encoding=UTF8",
            "--locale=C.UTF-8",
        ],
        "initdb",
    )  # fmt: skip
    (folder / _PORT_FILE).write_text(str(cluster.port), encoding="utf-8")
    return cluster


def open_existing(folder: Path) -> Cluster:
    return Cluster(
        folder,
        int((folder / _PORT_FILE).read_text(encoding="utf-8")),
        (folder / _PASSWORD_FILE).read_text(encoding="utf-8").strip(),
    )


def start(cluster: Cluster, timeout_s: float = 60.0) -> Cluster:
    """Start the server (listening on 127.0.0.1 only) and wait until it accepts connections."""
    options = f"-p {cluster.port} -c listen_addresses=127.0.0.1 -k {cluster.folder} -c fsync=off"
    _run(
        [str(bin_dir() / "pg_ctl"), "-D", str(cluster.pgdata), "-o", options,
         "-l", str(cluster.folder / "server.log"), "-w", "-t", str(int(timeout_s)), "start"],
        "pg_ctl start",
    )  # fmt: skip
    _ensure_database(cluster, timeout_s)
    return cluster


def _ensure_database(cluster: Cluster, timeout_s: float) -> None:
    import psycopg2  # the driver dbt-postgres brings; imported here so DuckDB-only runs never load it

    deadline = time.monotonic() + timeout_s
    while True:
        try:
            con = psycopg2.connect(cluster.dsn(database="postgres"))
            break
        except psycopg2.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
    try:
        con.autocommit = True
        with con.cursor() as cur:
            cur.execute("select 1 from pg_database where datname = %s", (DATABASE,))
            if cur.fetchone() is None:
                cur.execute(f"create database {DATABASE} encoding 'UTF8' template template0")
    finally:
        con.close()


def stop(cluster: Cluster) -> None:
    """Fast shutdown (open sessions are ended); a server that is not running is not an error."""
    pid = cluster.pgdata / "postmaster.pid"
    if pid.exists():
        _run(
            [str(bin_dir() / "pg_ctl"), "-D", str(cluster.pgdata), "-m", "fast", "-w", "stop"], "pg_ctl stop"
        )


def start_or_create(folder: Path) -> Cluster:
    """The folder's cluster, created on first use, started if it is not running."""
    cluster = open_existing(folder) if (folder / _PORT_FILE).exists() else create(folder)
    if not (cluster.pgdata / "postmaster.pid").exists():
        start(cluster)
    return cluster
