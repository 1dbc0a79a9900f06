"""CSV and text exports into rows, with every physical line accounted for.

Encodings: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode 文本", tab-separated) or
without (detected from the NUL pattern), GBK/GB18030; Big5 is recognised and refused with a clear message
(the contract and code lists are simplified Chinese). Line endings: CRLF, LF and CR-only alike.

A line the csv grammar cannot read faithfully is not allowed to swallow the lines after it: a quote that
never closes (or closes lines later so that the record has the wrong number of fields) makes that one line
a rejected row and reading resumes on the next line; a NUL byte, or a cell longer than the cell limit,
rejects its row. Each row remembers how many physical lines it spans, so lines = sum of spans.
"""

from __future__ import annotations

import csv
import re
import sys
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from xmdw.core.paths import SEEDS_DIR
from xmdw.core.settings import IngestLimits
from xmdw.ingestion.limits import UnreadableFile, check_area
from xmdw.ingestion.problems import Problem

LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
DELIMITERS = (",", "\t", ";", "|")
SHOWN_CHARS = 200  # of a rejected line, kept in raw.rejected_rows.value
MAX_SPAN = 100  # physical lines one quoted record may span (a cell with line breaks)


@dataclass
class CsvRows:
    rows: list[list[object]]
    row_lines: list[int]  # physical lines each row spans
    line_problems: dict[int, Problem] = field(default_factory=dict)  # 0-based row -> why it is rejected
    physical_lines: int = 0


def physical_lines(text: str) -> list[str]:
    """The lines of `text` with their terminators (CRLF, LF or CR); a last line without one counts too."""
    return LINE.findall(text)


# --- decoding -----------------------------------------------------------------------------------------


@cache
def _familiar_chars() -> frozenset[str]:
    """Chinese characters our ledgers are made of (contract headers, code lists, region names): decoded
    text that uses few of them was decoded with the wrong code page."""
    from xmdw import contract as contract_pkg

    text = (Path(contract_pkg.__file__).parent / "contract.yml").read_text(encoding="utf-8")
    for seed in ("code_lists.csv", "dim_region.csv", "dim_unit.csv"):
        p = SEEDS_DIR / seed
        if p.exists():
            text += p.read_text(encoding="utf-8")
    return frozenset(ch for ch in text if "\u4e00" <= ch <= "\u9fff")


def _familiarity(text: str) -> float:
    cjk = [ch for ch in text[:20000] if "\u4e00" <= ch <= "\u9fff"]
    if not cjk:
        return 0.0
    known = _familiar_chars()
    return sum(ch in known for ch in cjk) / len(cjk)


def _utf16_without_bom(data: bytes) -> str | None:
    sample = data[:4096]
    if len(sample) < 4:
        return None
    even, odd = sample[0::2], sample[1::2]
    if odd.count(0) > 0.4 * len(odd) and even.count(0) < 0.1 * len(even):
        return "utf-16-le"
    if even.count(0) > 0.4 * len(even) and odd.count(0) < 0.1 * len(odd):
        return "utf-16-be"
    return None


def _strict(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def decode_csv_bytes(data: bytes) -> tuple[str, str]:
    """(text, encoding name) of CSV bytes; raises UnreadableFile for Big5 and undecodable bytes."""
    if data.startswith(b"\xef\xbb\xbf"):
        text = _strict(data[3:], "utf-8")
        if text is not None:
            return text, "utf-8-sig"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        text = _strict(data, "utf-16")
        if text is not None:
            return text, "utf-16"
        raise _undecodable()
    utf16 = _utf16_without_bom(data)
    if utf16:
        text = _strict(data, utf16)
        if text is not None:
            return text, utf16
    for encoding in ("utf-8", "gb2312"):  # GB2312 cannot decode Big5 (trail bytes 0x40-0x7E)
        text = _strict(data, encoding)
        if text is not None:
            return text, "utf-8" if encoding == "utf-8" else "gb18030"
    gb, big5 = _strict(data, "gb18030"), _strict(data, "big5")
    if big5 is not None and (gb is None or _familiarity(big5) > _familiarity(gb)):
        raise UnreadableFile(
            "ING-F2",
            "文件是繁体中文 Big5 编码，无法按简体中文台账读取。请使用简体中文模板，另存为“CSV UTF-8”或 Excel（.xlsx）后重新报送",
            "the file is Big5 (traditional Chinese) encoded: use the simplified-Chinese template and save as "
            "CSV UTF-8 or .xlsx",
        )
    if gb is not None:
        return gb, "gb18030"
    raise _undecodable()


def _undecodable() -> UnreadableFile:
    return UnreadableFile(
        "ING-F2",
        "文件编码无法识别（不是 UTF-8、UTF-16 或 GBK/GB18030），请另存为“CSV UTF-8”或 Excel（.xlsx）后重新报送",
        "unknown text encoding (not UTF-8, UTF-16 or GBK/GB18030): save as CSV UTF-8 or .xlsx",
    )


# --- lines into rows ----------------------------------------------------------------------------------


def _delimiter(lines: list[str], encoding: str) -> str:
    """The delimiter most lines agree on (same count per line); tab for UTF-16 text exports."""
    sample = [ln.rstrip("\r\n") for ln in lines[:50] if ln.strip()]
    best, best_score = ("\t" if encoding.startswith("utf-16") else ","), 0
    for d in DELIMITERS:
        counts = Counter(ln.count(d) for ln in sample if '"' not in ln)
        counts.pop(0, None)
        score = counts.most_common(1)[0][1] if counts else 0
        if score > best_score:
            best, best_score = d, score
    return best


def _width(lines: list[str], delimiter: str) -> int | None:
    """The usual number of fields, from lines without quotes (a quoted field may hold a delimiter)."""
    counts = Counter(ln.count(delimiter) + 1 for ln in lines[:1000] if '"' not in ln and delimiter in ln)
    return counts.most_common(1)[0][0] if counts else None


def _plain(line: str, delimiter: str) -> list[str]:
    """One line split with quotes as ordinary characters (for a line whose quotes do not balance)."""
    return next(csv.reader([line.rstrip("\r\n")], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])


def _feed(lines: list[str], base: int, consumed: list[int]) -> Iterator[str]:
    for k in range(base, len(lines)):
        if k - base - consumed[0] >= MAX_SPAN:
            return  # the reader is inside a quoted field: it ends with "unexpected end of data"
        yield lines[k].replace("\x00", "")


def _records(
    lines: list[str], delimiter: str, width: int | None
) -> Iterator[tuple[list[str], int, int, bool]]:
    """(fields, first line index, lines spanned, quote problem) for every record. A record the quotes make
    unreadable (an error, the wrong number of fields, or more than MAX_SPAN lines) costs its first line,
    which is returned split without quote rules and flagged; reading resumes on the next line. The span
    bound keeps this linear: an unclosed quote never re-reads the rest of the file."""
    start = 0
    while start < len(lines):
        consumed = [0]  # lines of the records already returned, shared with _feed
        reader = csv.reader(_feed(lines, start, consumed), delimiter=delimiter, strict=True)
        try:
            for fields in reader:
                span, first = reader.line_num - consumed[0], start + consumed[0]
                if span > 1 and width is not None and len(fields) != width:
                    yield _plain(lines[first], delimiter), first, 1, True
                    start = first + 1
                    break
                yield fields, first, span, False
                consumed[0] = reader.line_num
            else:
                return
        except csv.Error:
            first = start + consumed[0]
            yield _plain(lines[first], delimiter), first, 1, True
            start = first + 1


def parse_csv_text(text: str, encoding: str, sheet: str, limits: IngestLimits) -> CsvRows:
    lines = physical_lines(text)
    if len(lines) > limits.max_rows:
        check_area(sheet, len(lines), 1, limits)
    csv.field_size_limit(max(csv.field_size_limit(), min(len(text) + 1, sys.maxsize)))
    delimiter = _delimiter(lines, encoding)
    out = CsvRows([], [], physical_lines=len(lines))
    for fields, first, span, quote_problem in _records(lines, delimiter, _width(lines, delimiter)):
        r = len(out.rows)
        raw_line = "".join(lines[first : first + span])
        row: list[object] = [None if v.strip() == "" else v for v in fields]
        problem = None
        if quote_problem:
            problem = (
                "ING-CSV-QUOTE",
                f"第{first + 1}行引号不成对（以引号开头的内容没有结束引号），该行无法可靠地拆分成列；请删除多余的引号或补全后重新报送",
                f"line {first + 1}: unbalanced quote, the line cannot be split into columns reliably",
                None,
                raw_line,
            )
        elif "\x00" in raw_line:
            problem = (
                "ING-CSV-NUL",
                f"第{first + 1}行含有空字符（NUL），文件可能已损坏；请重新导出后报送",
                f"line {first + 1} contains NUL bytes: the file may be damaged, export it again",
                None,
                raw_line.replace("\x00", "\\0"),
            )
        for c, v in enumerate(row):
            if isinstance(v, str) and len(v) > limits.max_cell_chars:
                row[c] = v[:SHOWN_CHARS] + "…"
                problem = problem or (
                    "ING-CELL-LONG",
                    f"第{first + 1}行第{c + 1}列内容过长（{len(v):,} 个字符，上限 {limits.max_cell_chars:,}，设置项 XMDW_MAX_CELL_CHARS）",
                    f"line {first + 1}, field {c + 1}: {len(v):,} characters, over the limit of "
                    f"{limits.max_cell_chars:,} (XMDW_MAX_CELL_CHARS)",
                    None,
                    v,
                )
        if problem:
            rule, zh, en, column, shown = problem
            out.line_problems[r] = Problem(
                rule, zh, en, sheet, r + 1, column, shown.rstrip("\r\n")[:SHOWN_CHARS]
            )
        out.rows.append(row)
        out.row_lines.append(span)
    check_area(sheet, len(out.rows), max((len(r) for r in out.rows), default=0), limits)
    return out
