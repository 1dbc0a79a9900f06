"""Turn one submitted workbook into canonical rows of the contract entities it holds.

Pure: reads the file, returns what was loaded, rejected, kept with findings and skipped, touches no
database. Every sheet is accounted for: ingested as the ledger its headers say (a workbook may hold
several ledgers, one ParsedFile each) or listed in `skipped_sheets` with its reason (hidden, empty,
instructions, no recognisable header). Invariant checked by the tests, per ledger:
rows_read == loaded + rejected + skipped.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from xmdw.contract import Column, Contract, Entity
from xmdw.ingestion.context import FileContext, read_context
from xmdw.ingestion.layout import Layout, detect_layout
from xmdw.ingestion.natural_keys import natural_key_json
from xmdw.ingestion.problems import FileRejected, Problem
from xmdw.ingestion.rows import (
    NOTE_RE,
    ParsedSheet,
    default_value,
    parse_sheet,
    row_texts,
)
from xmdw.ingestion.workbook import Sheet, UnreadableFile, read_file

# Sheets that explain the ledger rather than hold it (名称 of the sheet).
NOTES_SHEET_RE = re.compile(r"说明|须知|填表|填报要求|指南|目录|封面|代码|字典|附注|示例|样表")


@dataclass(frozen=True)
class SkippedSheet:
    """A sheet not loaded, and why (listed in raw.skipped_sheets and the data-quality report)."""

    sheet: str
    rows: int  # physical rows of the sheet, none of them loaded
    rule: str
    reason_zh: str
    reason_en: str


@dataclass
class ParsedFile:
    path: Path
    entity: Entity | None
    context: FileContext
    rows: list[dict]  # canonical column -> canonical string value, plus lineage
    rejected: list[Problem]
    sheets: list[ParsedSheet]
    money_units: dict[str, str]
    unknown_columns: list[str]
    encoding: str | None = None
    # optional values that could not be read: left empty, the row kept (raw.value_findings)
    findings: list[Problem] = field(default_factory=list)
    # the workbook's sheets holding no ledger (on the first ParsedFile of a workbook only)
    skipped_sheets: list[SkippedSheet] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        return sum(s.rows_read for s in self.sheets)

    @property
    def rows_skipped(self) -> int:
        return sum(sum(s.skipped.values()) for s in self.sheets)

    @property
    def rows_rejected(self) -> int:
        return len({(p.sheet, p.row) for p in self.rejected})

    @property
    def skipped_by_kind(self) -> dict[str, int]:
        total: Counter = Counter()
        for s in self.sheets:
            total.update(s.skipped)
        return dict(total)


class LedgerRejected(FileRejected):
    """The file goes to quarantine for a file-level problem, but ledgers were found: `parsed` holds what
    its readable rows gave (nothing is loaded) so that the unit gets every problem in one round."""

    def __init__(self, problem: Problem, parsed: list[ParsedFile]):
        super().__init__(problem)
        self.parsed = parsed


def column_letter(index: int) -> str:
    """0 -> A, 27 -> AB (as Excel names columns)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def parse_workbook(path: Path, contract: Contract) -> list[ParsedFile]:
    """Every ledger of a workbook, in sheet order, one ParsedFile per entity; the sheets holding none
    ride on the first. Raises FileRejected (quarantine) when the file as a whole cannot be used."""
    try:
        read = read_file(path)
    except UnreadableFile as exc:
        sheet = getattr(exc, "sheet", None)  # the sheet over a limit (workbook.py)
        raise FileRejected(Problem(exc.rule, exc.message_zh, exc.message_en, sheet=sheet)) from exc
    ledgers: dict[str, list[tuple[Sheet, Layout]]] = {}
    skipped: list[SkippedSheet] = []
    partial: list[tuple[Sheet, Layout | None]] = []  # visible sheets with text but no complete ledger
    for sheet in read.sheets:
        layout, skip = _sheet_verdict(sheet, contract)
        if skip is None and layout is not None:
            ledgers.setdefault(layout.entity.name, []).append((sheet, layout))
            continue
        skipped.append(skip)
        if skip.rule in ("ING-S-NOHEADER", "ING-S-INCOMPLETE", "ING-S-NOTES"):
            partial.append((sheet, layout))
    if not ledgers:
        try:
            _reject_workbook(read.sheets, partial, contract)
        except FileRejected as rej:
            raise LedgerRejected(
                rej.problem, _diagnose_incomplete(path, partial, contract, read.encoding)
            ) from None
    parsed, refusals = [], []
    for sheets in ledgers.values():
        try:
            parsed.append(_parse_ledger(path, sheets, contract, read.encoding))
        except LedgerRejected as rej:
            refusals.append(rej)
            parsed += rej.parsed
    if refusals:  # the first file-level problem decides; every readable row's problems ride along
        raise LedgerRejected(refusals[0].problem, parsed)
    parsed[0].skipped_sheets = skipped
    return parsed


def parse_file(path: Path, contract: Contract) -> ParsedFile:
    """The first ledger of a file (most files hold one; `parse_workbook` returns all of them)."""
    return parse_workbook(path, contract)[0]


def _sheet_verdict(sheet: Sheet, contract: Contract) -> tuple[Layout | None, SkippedSheet | None]:
    """(layout, None) for a sheet holding a complete ledger, else (layout or None, why it is skipped)."""

    def skip(rule: str, zh: str, en: str) -> SkippedSheet:
        return SkippedSheet(sheet.name, len(sheet.rows), rule, zh, en)

    if sheet.hidden:
        return None, skip(
            "ING-S-HIDDEN",
            "隐藏的工作表，未读取（隐藏表中的数据可能已过期；如需报送，请取消隐藏后重新报送）",
            "hidden sheet: not read (unhide it to submit its rows)",
        )
    if not any(row_texts(r) for r in sheet.rows):
        return None, skip("ING-S-EMPTY", "空工作表，未读取", "empty sheet")
    layout = detect_layout(sheet, contract)
    if layout is None:
        if NOTES_SHEET_RE.search(sheet.name):
            return None, skip(
                "ING-S-NOTES", "填表说明、代码表等说明性工作表，不含台账数据，未读取", "instructions sheet"
            )
        return None, skip(
            "ING-S-NOHEADER",
            "没有找到可识别的表头（如“项目编号”“项目名称”），未读取；如是台账，请使用标准模板的表头",
            "no recognisable header: not read",
        )
    missing = layout.missing_required()
    if missing:
        names = "、".join(f"“{c.zh}”" for c in missing)
        return layout, skip(
            "ING-S-INCOMPLETE",
            f"看起来是{layout.entity.zh}，但缺少必需列 {names}（表头在第{layout.header_rows[0] + 1}行），未读取",
            f"looks like {layout.entity.name} but required column(s) missing: "
            f"{', '.join(c.name for c in missing)}",
        )
    return layout, None


def _parse_ledger(
    path: Path, sheets: list[tuple[Sheet, Layout]], contract: Contract, encoding: str | None
) -> ParsedFile:
    entity = sheets[0][1].entity
    out = ParsedFile(path, entity, FileContext(), [], [], [], {}, [], encoding)
    refusal: Problem | None = None  # the first file-level problem: the rows are still read for their own
    missing: set[str] = set()  # columns a file-level problem already names (not repeated on every row)
    for i, (sheet, layout) in enumerate(sheets):
        ctx = _sheet_context(path, sheet, layout)
        absent = _missing_file_defaults(layout, ctx)
        missing |= {c.name for c in absent}
        problem = _duplicate_columns(sheet, layout) or (_missing_defaults_problem(sheet, layout, absent))
        result = parse_sheet(sheet, layout, ctx, contract)
        refusal = refusal or problem or _month_conflict(sheet, layout, ctx, result.sheet.months)
        for rec in result.rows:
            rec["_submitting_unit"] = ctx.submitting_unit
        out.sheets.append(result.sheet)
        out.rows += result.rows
        out.rejected += result.rejected
        out.findings += result.findings
        out.money_units.update(result.money_units)
        out.unknown_columns += [h for h in layout.extra_columns.values() if h not in out.unknown_columns]
        if i == 0:
            out.context = ctx
    out.rejected = [p for p in out.rejected if p.column_name not in missing]
    out.rows = reject_duplicate_keys(entity, out.rows, out.rejected)
    rejected = {(p.sheet, p.row) for p in out.rejected}
    out.findings = [f for f in out.findings if (f.sheet, f.row) not in rejected]
    if refusal is not None:
        raise LedgerRejected(refusal, [out])
    return out


def _sheet_context(path: Path, sheet: Sheet, layout: Layout) -> FileContext:
    title_lines = [" ".join(row_texts(sheet.rows[r])) for r in range(layout.header_rows[0])]
    note_lines = [
        " ".join(row_texts(r))
        for r in sheet.rows[layout.first_data_row :]
        if row_texts(r) and NOTE_RE.match(row_texts(r)[0].replace(" ", ""))
    ]
    return read_context(path, title_lines, note_lines, sheet.name)


def _duplicate_columns(sheet: Sheet, layout: Layout) -> Problem | None:
    """Two headers meaning the same column (总投资 twice): which one is right cannot be guessed."""
    for name, indexes in layout.duplicates.items():
        col = layout.entity.column(name)
        where = "和".join(f"{column_letter(i)}列" for i in indexes)
        return Problem(
            "ING-F6",
            f"“{col.zh}”列出现了{len(indexes)}次（{where}），无法确定以哪一列为准；"
            "请删除多余的列或改正表头后重新报送",
            f"column '{col.zh}' ({name}) appears {len(indexes)} times "
            f"({', '.join(column_letter(i) for i in indexes)}): keep one",
            sheet=sheet.name,
            row=layout.header_rows[0] + 1,
            column=col.zh,
        )
    return None


def _month_conflict(sheet: Sheet, layout: Layout, ctx: FileContext, months: Counter) -> Problem | None:
    """The table's own 月份 column (one month throughout) against the title/file-name period."""
    if ctx.month is None or "month" not in layout.by_name or len(months) != 1:
        return None
    ((year, month),) = months
    year = int(year) if year is not None else ctx.year
    if (year, int(month)) == (ctx.year, ctx.month):
        return None
    return Problem(
        "ING-F7",
        f"报告期不一致：表中“月份”列为{year}年{int(month)}月，{ctx.period_source}为{ctx.year}年{ctx.month}月；"
        "请核对报告期，改正后重新报送（填报日期不是报告期）",
        f"the report period disagrees: the month column says {year}-{month}, "
        f"{ctx.period_source} says {ctx.year}-{ctx.month}",
        sheet=sheet.name,
        row=layout.header_rows[0] + 1,
        column=layout.by_name["month"].header,
    )


def _missing_file_defaults(layout: Layout, ctx: FileContext) -> list[Column]:
    """Required columns neither in the table nor stated in the title/file name (e.g. the report month)."""
    present = set(layout.by_name)
    return [c for c in layout.entity.required if c.name not in present and default_value(c, ctx) is None]


def _missing_defaults_problem(sheet: Sheet, layout: Layout, absent: list[Column]) -> Problem | None:
    """A file-level problem: quarantine instead of rejecting every row for the same missing value."""
    if not absent:
        return None
    col = absent[0]
    return Problem(
        "ING-F3",
        f"缺少“{col.zh}”：表格中没有该列，报告期、标题和文件名中也未注明（如“2024年3月”；"
        "填报日期不作为报告期）",
        f"'{col.zh}' ({col.name}) is missing: not a column, and not stated in the title or "
        f"file name (e.g. 2024年3月)",
        sheet=sheet.name,
        row=layout.header_rows[0] + 1,
        column=col.zh,
    )


def _reject_workbook(
    sheets: list[Sheet], partial: list[tuple[Sheet, Layout | None]], contract: Contract
) -> None:
    """No sheet holds a complete ledger: say why, most specific reason first."""
    layouts = [(s, lay) for s, lay in partial if lay is not None]
    if layouts:
        sheet, lay = max(layouts, key=lambda x: len(x[1].columns))
        missing = lay.missing_required()
        names_zh = "、".join(f"“{c.zh}”" for c in missing)
        names_en = ", ".join(f"{c.zh} ({c.name})" for c in missing)
        raise FileRejected(
            Problem(
                "ING-F1",
                f"看起来是{lay.entity.zh}，但缺少必需列 {names_zh}（表头在第{lay.header_rows[0] + 1}行）",
                f"looks like {lay.entity.name} but required column(s) missing: {names_en} "
                f"(header at row {lay.header_rows[0] + 1})",
                sheet=sheet.name,
                row=lay.header_rows[0] + 1,
                column=missing[0].zh,
            )
        )
    hidden = [s for s in sheets if s.hidden and _complete(detect_layout(s, contract))]
    if hidden:
        raise FileRejected(
            Problem(
                "ING-F8",
                f"台账在隐藏的工作表“{hidden[0].name}”中，隐藏的工作表不读取；请取消隐藏（或把台账放在可见的"
                "工作表中）后重新报送",
                f"the ledger is on hidden sheet '{hidden[0].name}'; hidden sheets are not read: unhide it",
                sheet=hidden[0].name,
            )
        )
    if not partial and not any(s.hidden for s in sheets):
        raise FileRejected(Problem("ING-F5", "文件是空的，没有任何数据", "the file is empty"))
    raise FileRejected(
        Problem(
            "ING-F1",
            "无法识别台账类型：表头中没有找到任何已知列名（如“项目编号”“项目名称”），请使用标准模板（xmdw template）",
            "cannot identify the ledger: no known column headers found (e.g. 项目编号, 项目名称); "
            "use the standard template (xmdw template)",
            sheet=(partial[0][0] if partial else sheets[0]).name,
        )
    )


def _diagnose_incomplete(
    path: Path, partial: list[tuple[Sheet, Layout | None]], contract: Contract, encoding: str | None
) -> list[ParsedFile]:
    """The rows of sheets that look like a ledger but miss required columns (ING-F1): each row's own
    problems, the missing columns left out (the file-level problem names them). A diagnosis only: if it
    fails, the unit still gets the file-level problem."""
    out = []
    for sheet, layout in partial:
        if layout is None:
            continue
        try:
            parsed = _parse_ledger(path, [(sheet, layout)], contract, encoding)
        except LedgerRejected as rej:
            parsed = rej.parsed[0]
        except Exception:  # noqa: BLE001 — never turn a clear ING-F1 into a crash
            continue
        missing = {c.name for c in layout.missing_required()}
        parsed.rejected = [p for p in parsed.rejected if p.column_name not in missing]
        out.append(parsed)
    return out


def _complete(layout: Layout | None) -> bool:
    return layout is not None and not layout.missing_required()


def reject_duplicate_keys(entity: Entity, rows: list[dict], problems: list[Problem]) -> list[dict]:
    """Rows sharing a natural key inside one file are all rejected: we cannot tell which is right."""
    keys = Counter(tuple(r.get(k) for k in entity.natural_key) for r in rows)
    dup = {k for k, n in keys.items() if n > 1}
    if not dup:
        return rows
    kept = []
    key_zh = "、".join(entity.column(k).zh for k in entity.natural_key)
    for rec in rows:
        k = tuple(rec.get(c) for c in entity.natural_key)
        if k in dup:
            problems.append(
                Problem(
                    "ING-DUP",
                    f"同一文件中（{key_zh}）重复：{'/'.join(str(x) for x in k)}，请只保留一行",
                    f"duplicate key ({', '.join(entity.natural_key)}) = {k} within the file: keep one row",
                    rec["_sheet"],
                    rec["_source_row"],
                    None,
                    None,
                    key=natural_key_json(entity, rec),
                )
            )
        else:
            kept.append(rec)
    return kept
