"""What every county ledger writer shares: seeded randomness per file, each unit's format, writing a file
into its region's folder, recording in the summary what was injected where, and file times in submission
order."""

from __future__ import annotations

import calendar
import os
import random
from datetime import datetime
from pathlib import Path

from xmdw.contract import load_contract
from xmdw_demo import catalog as C
from xmdw_demo.summary import DemoSummary
from xmdw_demo.unit_formats import Fmt, columns, draw_format, dress
from xmdw_demo.writer import Col, Style, Written, write_table


class CountyWriter:
    def __init__(self, out_dir: Path, seed: int, rate: float, year: int, summary: DemoSummary):
        self.out = out_dir
        self.seed = seed
        self.rate = rate
        self.year = year
        self.s = summary
        self.contract = load_contract()
        self.created = datetime(year, 1, 1)
        self.fmts: dict[tuple, Fmt] = {}
        self.events: list[tuple[datetime, int, Path]] = []
        # deliberately bad things are injected only when the rate is above zero
        self.bad = rate > 0

    def rng(self, *parts: object) -> random.Random:
        """A random stream of its own for each thing drawn, so one ledger's draws never shift another's."""
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def fmt(self, region: str, unit: str, entity: str, **force: object) -> Fmt:
        """The unit's format of `entity`, drawn the first time and kept all year; `force` pins quirks."""
        key = (region, unit, entity)
        if key not in self.fmts:
            f = draw_format(self.rng("fmt", *key), self.rate, self.year, entity)
            for k, v in force.items():
                setattr(f, k, v)
            if f.period_in_title_only:
                f.title = True
            if f.csv:
                f.two_level = False
            self.fmts[key] = f
        return self.fmts[key]

    def cols(self, entity: str, fields: list[str], f: Fmt, unit_cols: tuple[str, ...] = ()) -> list[Col]:
        return columns(self.contract.entity(entity), fields, f, unit_cols)

    def style(self, f: Fmt, title: str, unit: str, key: tuple, region: str) -> Style:
        return dress(f, self.rng("style", *key), title, unit, region)

    def write(
        self,
        entity: str,
        region: str,
        name: str,
        cols: list[Col],
        rows: list[dict],
        style: Style,
        when: datetime,
        encoding: str | None = None,
        count_as: str | None = None,
    ) -> Written:
        """Write `<region folder>/<name>.xlsx` (or .csv with `encoding`), submitted at `when`. Rows may carry
        `__raw__` (cells written as given), `__inject__` (recorded as injected) and `__check__` (unit checks).
        `count_as` counts the file under another entity with no rows (a file meant for quarantine)."""
        folder = self.out / C.REGION_NAMES[region]
        suffix = ".xlsx" if encoding is None else ".csv"
        path = folder / f"{name}{suffix}"
        written = write_table(
            path, cols, rows, style, self.rng("cells", name), self.created, encoding or "utf-8"
        )
        self.s.add_file(count_as or entity, 0 if count_as else len(rows), written.size)
        self.s.files.append(
            {"file": self.rel(path), "entity": count_as or entity, "rows": 0 if count_as else len(rows)}
        )
        self.events.append((when, len(self.events), path))
        self._record_marks(rows, cols, written)
        return written

    def _record_marks(self, rows: list[dict], cols: list[Col], written: Written) -> None:
        """Injected items and unit checks of the rows, located at the sheet row they were written to."""
        rel = self.rel(written.path)
        headers = {c.name: c.header for c in cols}
        for row, excel_row in zip(rows, written.data_rows, strict=True):
            for mark in row.get("__inject__", []):
                mark = dict(mark)
                col = mark.get("column")
                if isinstance(col, str) and col.startswith("@"):
                    mark["column"] = headers.get(col[1:], col[1:])
                self.s.inject(sheet=written.sheet, row=excel_row, file=rel, **mark)
            for check in row.get("__check__", []):
                self.s.unit_checks.append({"file": rel, "sheet": written.sheet, "row": excel_row, **check})

    def rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()

    def finish(self) -> None:
        """File times in submission order: a resubmission is always later than what it corrects."""
        last = 0
        for when, _, path in sorted(self.events, key=lambda e: (e[0], e[1])):
            ts = max(calendar.timegm(when.timetuple()), last + 1)
            os.utime(path, (ts, ts))
            last = ts


def cols_header(cols: list[Col], name: str) -> str:
    """The header text a column was written with."""
    return next(c.header for c in cols if c.name == name)
