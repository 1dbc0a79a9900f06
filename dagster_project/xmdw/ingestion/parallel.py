"""Parse workbooks in worker processes while the one writer loads them in batch order (issue 15).

Parsing (python-calamine, layout detection, row parsing) is pure and CPU-bound; loading stays in the
calling process, which asks for each file's parse in batch order (`ParseAhead.parse`), so revisions and
logs are those of a serial run. Workers run a few files ahead (a bounded window: memory stays a few
parsed files). A worker's outcome crosses the process boundary as data, never as a raised exception
(exceptions carrying objects do not survive pickling): the writer raises the same FileRejected, or the
worker's exception for the writer's ING-CRASH handling. Workers are spawned (no fork of a process holding
a database connection); if the pool breaks, the rest is parsed in the writer.
"""

from __future__ import annotations

import multiprocessing
import pickle
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

from xmdw.contract import Contract
from xmdw.ingestion.parser import LedgerRejected, ParsedFile, parse_workbook
from xmdw.ingestion.problems import FileRejected

MIN_FILES = 8  # fewer files to parse than this: a worker's start-up (~1 s) does not pay
AHEAD = 4  # files submitted per worker beyond the one being loaded

_contract: Contract | None = None


def _init(contract: Contract) -> None:
    global _contract
    _contract = contract


def _parse_in_worker(path: Path) -> tuple:
    """('ok', ledgers) | ('rejected', problem, ledgers) | ('crash', exception or (class name, text))."""
    assert _contract is not None
    try:
        return ("ok", parse_workbook(path, _contract))
    except FileRejected as rej:
        return ("rejected", rej.problem, getattr(rej, "parsed", []))
    except Exception as exc:  # noqa: BLE001 — handed to the writer, which quarantines the file
        try:
            pickle.dumps(exc)
            return ("crash", exc)
        except Exception:  # noqa: BLE001
            return ("crash", (type(exc).__name__, str(exc)))


def _unpack(result: tuple) -> list[ParsedFile]:
    kind = result[0]
    if kind == "ok":
        return result[1]
    if kind == "rejected":
        _, problem, parsed = result
        raise LedgerRejected(problem, parsed) if parsed else FileRejected(problem)
    exc = result[1]
    if isinstance(exc, tuple):  # an exception that could not be pickled: same class name and text
        exc = type(exc[0], (Exception,), {})(exc[1])
    raise exc


class ParseAhead:
    """`parse(path, contract)` for the files of `expected` (batch order) from a pool, others in process."""

    def __init__(self, expected: list[Path], contract: Contract, workers: int):
        self.order = {p: i for i, p in enumerate(expected)}
        self.expected = expected
        self.contract = contract
        self.futures: dict[int, Future] = {}
        self.next = 0
        self.pool: ProcessPoolExecutor | None = None
        if workers > 1 and len(expected) >= MIN_FILES:
            self.pool = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_init,
                initargs=(contract,),
            )
            self.window = workers * AHEAD
            self._fill(self.window)  # the workers start while the writer loads what comes first

    def _fill(self, upto: int) -> None:
        while self.pool is not None and self.next < min(len(self.expected), upto):
            self.futures[self.next] = self.pool.submit(_parse_in_worker, self.expected[self.next])
            self.next += 1

    def parse(self, path: Path, contract: Contract) -> list[ParsedFile]:
        i = self.order.get(path)
        if self.pool is None or i is None or contract is not self.contract:
            return parse_workbook(path, contract)
        for j in [j for j in self.futures if j < i]:  # files the writer did not parse (duplicates...)
            self.futures.pop(j).cancel()
        self.next = max(self.next, i)
        self._fill(i + 1 + self.window)
        future = self.futures.pop(i, None)
        if future is None:
            return parse_workbook(path, contract)
        try:
            result = future.result()
        except BrokenProcessPool:
            self.close()
            return parse_workbook(path, contract)
        return _unpack(result)

    def close(self) -> None:
        if self.pool is not None:
            for f in self.futures.values():
                f.cancel()
            self.pool.shutdown(wait=True, cancel_futures=True)
            self.pool, self.futures = None, {}

    def __enter__(self) -> ParseAhead:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
