"""Building blocks of the reliability corpus: ledgers laid out like `xmdw template`, raw bytes, cases."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import xlsxwriter

from xmdw.contract import load_contract
from xmdw.ingestion.safe_io import display_name
from xmdw.ingestion.templates import EXAMPLE_MARK, _example, header_text

CONTRACT = load_contract()
OLD_MTIME = 1_700_000_000  # files "dropped" long ago: no copy in progress


@dataclass(frozen=True)
class Expect:
    status: str  # accepted | quarantined | deferred | skipped
    rule: str | None = None  # quarantine / note rule
    loaded: int | None = None
    rejected: tuple[str, ...] = ()  # rules of the rejected rows (distinct, sorted)
    findings: tuple[str, ...] | None = None  # rules of value findings (kept rows), when checked


@dataclass(frozen=True)
class Case:
    id: str
    group: str
    what: str
    build: Callable[[Path], tuple[str, Path]]  # writes into the folder: (file name as logged, path)
    expect: Expect
    root_only: bool = False
    young: bool = False  # leave the modification time at "now" (a copy in progress)
    on_pause: str | None = None  # "grow" | "remove": done between the two looks at young files


GROUPS = {
    "baseline": "正常文件与各种格式 — good files in every accepted shape",
    "crash": "曾使整批运行崩溃的输入 — inputs that used to crash the run",
    "lost": "曾无声丢失的行 — rows that used to vanish",
    "values": "曾被错误接受的值 — values that used to load wrong",
    "return": "退回清单需要的行级问题 — row problems the return list carries",
    "security": "恶意或危险文件 — hostile files",
    "empty": "空表、加密、旧格式 — empty, encrypted, legacy formats",
    "csv": "CSV 方言与编码 — CSV dialects and encodings",
    "huge": "超大值与超大表 — huge values and tables",
    "names": "文件名 — file names",
    "faults": "接收过程中的变化 — files changing during ingestion",
}

# --- ledgers from the contract, laid out like `xmdw template` -----------------------------------------


def template_rows(entity: str, data: list[dict], unit_line: str = "填报单位：县发改局") -> list[list]:
    """Title, 填报单位 line, headers, units row, example row (all as the template writes them), then data
    rows given as {column name: value}; column A is 序号."""
    e = CONTRACT.entities[entity]
    cols = e.columns
    return [
        [f"××县（区）{e.zh}"],
        [unit_line],
        ["序号", *[header_text(c) for c in cols]],
        [None, *[c.unit_zh or None for c in cols]],
        [EXAMPLE_MARK, *[_example(c, CONTRACT) for c in cols]],
        *[[i + 1, *[row.get(c.name) for c in cols]] for i, row in enumerate(data)],
    ]


def prog(pid: str, **kw) -> dict:
    return {
        "project_id": pid,
        "project_name": f"项目{pid}",
        "year": 2024,
        "month": 3,
        "ytd_completed": 100,
        "since_start_completed": 500,
    } | kw


def proj(pid: str, **kw) -> dict:
    return {
        "project_id": pid,
        "project_name": f"项目{pid}",
        "stage": "开工在建",
        "total_investment": 5000,
        "region_code": "610728",
    } | kw


def xlsx(
    path: Path,
    rows: list[list],
    sheet: str = "台账",
    extra: dict | None = None,
    hidden: tuple = (),
    merges: tuple = (),
    very_hidden: tuple = (),
) -> Path:
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for name, data in {sheet: rows, **(extra or {})}.items():
        ws = wb.add_worksheet(name)
        for r, row in enumerate(data):
            for c, v in enumerate(row):
                if v is None:
                    continue
                if isinstance(v, date):
                    ws.write_datetime(r, c, v, date_fmt)
                elif isinstance(v, str):
                    ws.write_string(r, c, v)
                else:
                    ws.write(r, c, v)
        if name in hidden:
            ws.hide()
        if name in very_hidden:
            ws.very_hidden()
        for r0, c0, r1, c1, text in merges if name == sheet else ():
            ws.merge_range(r0, c0, r1, c1, text)
    wb.close()
    return path


def ledger(entity: str, data: list[dict], **kw) -> Callable[[Path], Path]:
    return lambda path: xlsx(path, template_rows(entity, data), **kw)


PROGRESS_HEADER = ["项目编号", "项目名称", "年度", "月份", "本年完成投资", "开工累计完成投资"]


def csv_text(rows: list[list], delimiter: str = ",", newline: str = "\n") -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=delimiter, lineterminator=newline).writerows(rows)
    return buf.getvalue()


def prog_csv(n: int = 2, prefix: str = "P", **kw) -> list[list]:
    return [PROGRESS_HEADER, *[[f"{prefix}{i}", f"项目{i}", 2024, 3, 100 + i, 500] for i in range(n)]]


def cfb(stream_names: list[str]) -> bytes:
    """A minimal OLE2 compound file: header, one FAT sector, one directory sector naming the streams."""
    header = bytearray(512)
    header[0:8] = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    header[0x18:0x1C] = (0x3E).to_bytes(2, "little") + (3).to_bytes(2, "little")
    header[0x1C:0x20] = (0xFFFE).to_bytes(2, "little") + (9).to_bytes(2, "little")
    header[0x20:0x22] = (6).to_bytes(2, "little")
    header[0x2C:0x30] = (1).to_bytes(4, "little")  # one FAT sector
    header[0x30:0x34] = (1).to_bytes(4, "little")  # directory at sector 1
    header[0x38:0x3C] = (4096).to_bytes(4, "little")
    header[0x3C:0x40] = (0xFFFFFFFE).to_bytes(4, "little")
    header[0x44:0x48] = (0xFFFFFFFE).to_bytes(4, "little")
    header[0x4C:0x50] = (0).to_bytes(4, "little")  # FAT in sector 0
    for i in range(1, 109):
        header[0x4C + 4 * i : 0x50 + 4 * i] = (0xFFFFFFFF).to_bytes(4, "little")
    fat = bytearray(b"\xff" * 512)
    fat[0:4], fat[4:8] = (0xFFFFFFFD).to_bytes(4, "little"), (0xFFFFFFFE).to_bytes(4, "little")
    directory = bytearray()
    for i, name in enumerate(["Root Entry", *stream_names]):
        entry = bytearray(128)
        encoded = name.encode("utf-16-le") + b"\0\0"
        entry[0 : len(encoded)] = encoded
        entry[64:66] = len(encoded).to_bytes(2, "little")
        entry[66] = 5 if i == 0 else 2
        entry[68:80] = b"\xff" * 12
        directory += entry
    directory += b"\0" * (512 - len(directory) % 512 if len(directory) % 512 else 0)
    return bytes(header + fat + directory)


# --- the cases ------------------------------------------------------------------------------------------

CASES: list[Case] = []


def add(
    id_: str,
    group: str,
    what: str,
    expect: Expect,
    write: Callable[[Path], object],
    ext: str = "xlsx",
    name: str | None = None,
    **kw,
) -> None:
    """Register a case writing one entry (default name c<n>_<id>.<ext>) into the corpus folder."""
    fname = name or f"c{len(CASES) + 1:03d}_{id_}.{ext}"

    def build(folder: Path) -> tuple[str, Path]:
        write(folder / fname)
        return display_name(fname), folder / fname

    CASES.append(Case(id_, group, what, build, expect, **kw))


def write_bytes(data: bytes) -> Callable[[Path], None]:
    return lambda p: p.write_bytes(data)


def write_text(text: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda p: p.write_bytes(text.encode(encoding))


def ok(n: int, rejected: tuple[str, ...] = (), findings: tuple[str, ...] | None = None) -> Expect:
    return Expect("accepted", None, n, rejected, findings)


def q(rule: str) -> Expect:
    return Expect("quarantined", rule)
