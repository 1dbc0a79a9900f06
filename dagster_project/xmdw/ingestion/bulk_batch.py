"""A batch's files in order, template-shaped CSV in bulk (issue 15) and everything else cell by cell.

Files are taken in batch order. Consecutive bulk candidates (`bulk_csv.candidate`) collect into a chunk
(bounded in bytes, so a nation batch never stages more than a chunk at once); a file that is no candidate
first loads the chunk so far, then goes the per-cell way (`cell`), so that revisions, duplicates and logs
follow the batch order exactly as when every file goes the per-cell way. Within a chunk the files that are
not clean (`bulk_stage`) split it into runs the same way. A run whose load fails is rolled back and its
files go the per-cell way one by one (each isolated there as usual).

DuckDB only: on PostgreSQL every file takes the per-cell path (docs/decisions: bulk ingestion).
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from pathlib import Path

from xmdw.contract import Contract
from xmdw.core.paths import DataPaths
from xmdw.core.settings import ingest_limits
from xmdw.ingestion import bulk_csv, bulk_load, bulk_stage, filing
from xmdw.ingestion.bulk_csv import Candidate
from xmdw.ingestion.landing import current_signature
from xmdw.ingestion.outcomes import FileOutcome
from xmdw.warehouse import store
from xmdw.warehouse.store import Connection

CHUNK_BYTES = 64 * 1024 * 1024  # CSV staged at once (peak RSS ~20x this: staged tables, value maps)
Cell = Callable[[Path], FileOutcome]


class _Accepted:
    """sha256 of accepted files: read once, and again only after a per-cell file may have added one."""

    def __init__(self, con: Connection):
        self.con, self.shas, self.stale = con, set(), True

    def __contains__(self, sha: str) -> bool:
        if self.stale:
            rows = self.con.execute(
                f"SELECT DISTINCT sha256 FROM {store.RAW}.ingest_log WHERE status = 'accepted'"
            ).fetchall()
            self.shas |= {r[0] for r in rows}
            self.stale = False
        return sha in self.shas


def _rollback(con: Connection) -> None:
    with contextlib.suppress(*store.db_errors(con)):
        con.execute("ROLLBACK")


class BulkDriver:
    def __init__(
        self,
        con: Connection,
        paths: DataPaths,
        run_id: str,
        contract: Contract,
        consume: Callable[[Path], bool],
        cell: Cell,
    ):
        self.con, self.paths, self.run_id, self.contract = con, paths, run_id, contract
        self.consume, self._cell = consume, cell
        self.accepted = _Accepted(con)
        self.layouts: dict = {}
        self.limits = ingest_limits()

    def cell(self, path: Path) -> FileOutcome:
        self.accepted.stale = True
        return self._cell(path)

    def run(self, files: list[Path], signatures: dict[Path, tuple[int, int]]) -> Iterator[FileOutcome]:
        chunk: list[Candidate] = []
        shas: set[str] = set()
        size = 0
        for pos, path in enumerate(files):
            cand = bulk_csv.candidate(
                path,
                pos,
                self.run_id,
                self.contract,
                self.limits,
                signatures.get(path) or current_signature(path),
                self.layouts,
            )
            if cand is not None and (cand.sha in self.accepted or cand.sha in shas):
                cand = None  # a duplicate: the per-cell path logs it, after the chunk before it is loaded
            if cand is None:
                yield from self._chunk(chunk)
                chunk, shas, size = [], set(), 0
                yield self.cell(path)
                continue
            chunk.append(cand)
            shas.add(cand.sha)
            size += cand.log["size_bytes"] or 0
            if size >= CHUNK_BYTES:
                yield from self._chunk(chunk)
                chunk, shas, size = [], set(), 0
        yield from self._chunk(chunk)

    def _chunk(self, chunk: list[Candidate]) -> Iterator[FileOutcome]:
        if not chunk:
            return
        try:
            clean = bulk_stage.stage(self.con, chunk, self.contract, self.paths.root)
        except Exception:  # noqa: BLE001 — DuckDB could not read them in bulk: each file its own way
            clean = set()
        try:
            run: list[Candidate] = []
            for c in chunk:
                if c.pos in clean and not self._changed(c):
                    run.append(c)
                    continue
                yield from self._run(run)
                run = []
                yield self.cell(c.path)
            yield from self._run(run)
        finally:
            with contextlib.suppress(*store.db_errors(self.con)):
                bulk_stage.drop(self.con, self.contract)

    def _changed(self, c: Candidate) -> bool:
        """A landing file modified since it was listed is the per-cell path's to defer."""
        return self.consume(c.path) and c.signature is not None and current_signature(c.path) != c.signature

    def _run(self, run: list[Candidate]) -> Iterator[FileOutcome]:
        if not run:
            return
        try:
            archived = {c.pos: str(filing.archive(c.path, c.sha, self.paths)) for c in run}
            outcomes = bulk_load.load_run(self.con, run, archived)
        except Exception:  # noqa: BLE001 — rolled back: every file again, isolated, the per-cell way
            _rollback(self.con)
            for c in run:
                yield self.cell(c.path)
            return
        self.accepted.shas |= {c.sha for c in run}
        for c, outcome in zip(run, outcomes, strict=True):
            if self.consume(c.path):
                filing.remove_from_landing(c.path)
            yield outcome
