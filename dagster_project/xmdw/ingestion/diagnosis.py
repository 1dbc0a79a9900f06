"""Every problem of a quarantined file at once (issue 12 item 2).

A file quarantined for a file-level reason (a missing column, a duplicated column, no report period, a
period conflict) may still have readable rows, and those rows have problems of their own. The parser
reads them anyway (`parser.LedgerRejected.parsed`); here they are recorded beside the quarantine, loading
nothing: the whole list in the `.reason.json` (the highlighted copy is made from it), row problems in
`raw.rejected_rows` and unreadable optional values in `raw.value_findings` (their note says that the row
was not loaded) so the return list names them and clears them like any rejected row — except for a file
without a report period (see `record`) — and the ledger and period in the quarantine's `raw.ingest_log`
row. The unit fixes the file and its rows in one round.

Nothing here changes a figure: the coverage model and the data-quality summary count rejected rows of
accepted files only, and the quarantine row's `rows_rejected` stays empty.
"""

from __future__ import annotations

from dataclasses import replace

from xmdw.ingestion.parser import ParsedFile
from xmdw.ingestion.problems import Problem
from xmdw.ingestion.rows import KEPT_NOTE_ZH
from xmdw.warehouse import store
from xmdw.warehouse.store import Connection

QUARANTINED_NOTE_ZH = "；文件已隔离，本行未导入，请一并改正"
QUARANTINED_NOTE_EN = "; the file was quarantined, nothing was loaded"
NO_PERIOD_RULE = "ING-F3"
MAX_LISTED = 500  # row problems written into the .reason.json (all of them go to raw.rejected_rows)


def _unloaded(p: Problem) -> Problem:
    """A finding's note says the rest of the row was loaded; in a quarantined file nothing was."""
    zh = p.message_zh.removesuffix(KEPT_NOTE_ZH)
    en = p.message_en.split("; the value was left empty")[0]
    return replace(p, message_zh=zh + QUARANTINED_NOTE_ZH, message_en=en + QUARANTINED_NOTE_EN)


def log_fields(parsed: list[ParsedFile]) -> dict:
    """What the quarantine's ingest_log row can say about the file's first ledger (rows_rejected is left
    empty on purpose: the data-quality summary counts it as rows rejected at ingestion)."""
    if not parsed or parsed[0].entity is None:
        return {}
    first, ctx = parsed[0], parsed[0].context
    return {
        "entity": first.entity.name,
        "submitting_unit": ctx.submitting_unit,
        "period_year": ctx.year,
        "period_month": ctx.month,
        "region_code": ctx.region_code,
        "rows_read": sum(p.rows_read for p in parsed),
        "encoding": first.encoding,
    }


def record(con: Connection, parsed: list[ParsedFile], log: dict, rule: str) -> int:
    """Write the row problems of a quarantined file's ledgers; returns how many rows have one.

    Not when the file has no report period (ING-F3): its rows' natural keys lack the period, so no
    corrected file could ever be matched to them and they would stay in the return list for good; the
    .reason.json and the highlighted copy carry them instead."""
    if rule == NO_PERIOD_RULE:
        return 0
    rows = set()
    for p in parsed:
        if p.entity is None:
            continue
        unit = p.context.submitting_unit
        store.insert_records(
            con, "rejected_rows", store.problem_records(p.rejected, log, p.entity.name, unit)
        )
        findings = [_unloaded(f) for f in p.findings]
        store.insert_records(con, "value_findings", store.problem_records(findings, log, p.entity.name, unit))
        rows |= {(p.entity.name, x.sheet, x.row) for x in p.rejected + p.findings}
    return len(rows)


def reason_extra(parsed: list[ParsedFile]) -> dict:
    """The row problems for the .reason.json: where (sheet, row, column), what, the value, the rule."""
    problems = [
        {
            "sheet": x.sheet,
            "row": x.row,
            "column": x.column,
            "value": x.value,
            "rule": x.rule,
            "message_zh": m.message_zh,
            "kind": kind,
        }
        for p in parsed
        for kind, items in (("row", p.rejected), ("value", p.findings))
        for x in items
        for m in [x if kind == "row" else _unloaded(x)]
    ]
    if not problems:
        return {}
    return {
        "rows_read": sum(p.rows_read for p in parsed),
        "row_problems_total": len(problems),
        "row_problems": problems[:MAX_LISTED],
        "row_problems_note_zh": "文件因上述问题被隔离；以下是可读取行本身的问题，请一并改正后重新报送",
    }
