"""The problems that decide a whole file's fate without a parse error: an unexpected exception (ING-CRASH),
no data row (ING-EMPTY, 空表), still being written (ING-WAIT) or gone since the listing (ING-GONE)."""

from __future__ import annotations

from xmdw.ingestion.parser import ParsedFile
from xmdw.ingestion.problems import FileRejected, Problem
from xmdw.ingestion.safe_io import display_name


def crash_problem(exc: BaseException) -> Problem:
    """ING-CRASH: what went wrong, for the unit and for the administrator."""
    cls = type(exc).__name__
    text = display_name(str(exc).strip().splitlines()[0] if str(exc).strip() else "")[:300]
    return Problem(
        "ING-CRASH",
        f"读取或载入此文件时发生意外错误（{cls}：{text}）。整个文件未入库、已隔离，其他文件照常处理。"
        "请检查文件中是否有异常内容（超大数值、特殊格式等）后重新报送；无法解决时请联系数据管理员",
        f"unexpected error while reading or loading the file ({cls}: {text}); nothing of it was loaded, it "
        "was quarantined and the other files went on",
    )


def refuse_empty(ledgers: list[ParsedFile]) -> None:
    """空表: a ledger with no data row (a header only, or the blank template with its example row)."""
    if any(p.rows or p.rejected for p in ledgers):
        return
    first = ledgers[0]
    sheet = first.sheets[0].name if first.sheets else None
    if first.skipped_by_kind.get("example"):
        zh = "空表：这是未填写的空白模板（只有表头和示例行，没有数据行），没有任何数据可以入库。请填写后重新报送"
        en = "empty ledger: the blank template (header and example row only, no data row); fill it in"
    else:
        zh = (
            f"空表：只有表头，没有任何数据行（共 {first.rows_read} 行，均为标题、表头、空行或说明）。"
            "请检查是否报送了正确的文件"
        )
        en = f"empty ledger: a header and no data row ({first.rows_read} rows, none of them data)"
    raise FileRejected(Problem("ING-EMPTY", zh, en, sheet=sheet))


STILL_WRITING = Problem(
    "ING-WAIT",
    "文件仍在写入（复制尚未完成：读取期间大小或修改时间发生了变化），留在接收目录，下次运行时再处理",
    "the file is still being written (its size or modification time changed while it was read): left in "
    "landing for the next run",
)
GONE = Problem(
    "ING-GONE",
    "文件在列出之后、读取之前已被移走或删除，本次跳过",
    "the file was moved or deleted after the landing folder was listed: skipped",
)
