"""Why a file cannot be read at all, and the resource limits a submitted file is held to.

The limits themselves are settings (`xmdw.core.settings.ingest_limits`, environment variables with defaults
listed in docs/reliability.md); this module turns a breach into the bilingual refusal the unit sees.
"""

from __future__ import annotations

from xmdw.core.settings import IngestLimits


class UnreadableFile(Exception):
    """The file cannot be opened or decoded at all (the whole file is quarantined)."""

    def __init__(self, rule: str, message_zh: str, message_en: str, sheet: str | None = None):
        super().__init__(message_en)
        self.rule = rule
        self.message_zh = message_zh
        self.message_en = message_en
        self.sheet = sheet


LIMIT_RULE = "ING-LIMIT"
MB = 1024 * 1024


def _mb(n: int) -> str:
    return f"{n / MB:,.1f} MB"


def too_big(what_zh: str, what_en: str, found: str, limit: str, setting: str, sheet: str | None = None):
    """The refusal for one breached limit (raise it)."""
    return UnreadableFile(
        LIMIT_RULE,
        f"{what_zh}超出上限：{found}，上限 {limit}（设置项 {setting}）。请拆分文件或删除多余内容后重新报送",
        f"{what_en} over the limit: {found}, limit {limit} (setting {setting}); split the file or remove "
        f"what is not needed",
        sheet,
    )


def check_file_size(size: int, limits: IngestLimits) -> None:
    if size > limits.max_file_bytes:
        raise too_big("文件大小", "file size", _mb(size), _mb(limits.max_file_bytes), "XMDW_MAX_FILE_MB")


def check_unzipped(total: int, limits: IngestLimits) -> None:
    if total > limits.max_unzipped_bytes:
        raise too_big(
            "Excel 文件解压后的大小",
            "uncompressed size of the workbook",
            _mb(total),
            _mb(limits.max_unzipped_bytes),
            "XMDW_MAX_UNZIPPED_MB",
        )


def check_part(name: str, size: int, limits: IngestLimits) -> None:
    if size > limits.max_part_bytes:
        raise too_big(
            f"Excel 文件内部的“{name}”解压后",
            f"workbook part {name}",
            _mb(size),
            _mb(limits.max_part_bytes),
            "XMDW_MAX_PART_MB",
        )


def check_area(sheet: str, rows: int, cols: int, limits: IngestLimits) -> None:
    """Rows, columns and rows x columns of a sheet's used area (the reader allocates the whole rectangle)."""
    if rows > limits.max_rows:
        raise too_big(
            "工作表行数", "rows of the sheet", f"{rows:,}", f"{limits.max_rows:,}", "XMDW_MAX_ROWS", sheet
        )
    if cols > limits.max_columns:
        raise too_big(
            "工作表列数",
            "columns of the sheet",
            f"{cols:,}",
            f"{limits.max_columns:,}",
            "XMDW_MAX_COLUMNS",
            sheet,
        )
    if rows * cols > limits.max_cells:
        raise too_big(
            "工作表使用区域（行数×列数，含中间的空单元格）",
            "used area of the sheet (rows x columns, empty cells between included)",
            f"{rows:,}×{cols:,}",
            f"{limits.max_cells:,} 个单元格",
            "XMDW_MAX_CELLS",
            sheet,
        )
