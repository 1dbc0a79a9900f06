"""Bilingual problems found while reading a file: file-level (quarantine) and row-level (reject)."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Problem:
    rule: str
    message_zh: str
    message_en: str
    sheet: str | None = None
    row: int | None = None  # 1-based, as Excel shows it
    column: str | None = None  # header as written in the file
    value: str | None = None
    column_name: str | None = None  # the contract column (row problems and findings)
    key: str | None = None  # the row's natural key as JSON (row problems and findings; natural_keys.py)

    def as_dict(self) -> dict:
        return asdict(self)

    def located_zh(self) -> str:
        where = "，".join(
            p
            for p in (
                f"工作表“{self.sheet}”" if self.sheet else "",
                f"第{self.row}行" if self.row else "",
                f"“{self.column}”列" if self.column else "",
            )
            if p
        )
        return f"{where}：{self.message_zh}" if where else self.message_zh

    def located_en(self) -> str:
        where = ", ".join(
            p
            for p in (
                f"sheet '{self.sheet}'" if self.sheet else "",
                f"row {self.row}" if self.row else "",
                f"column '{self.column}'" if self.column else "",
            )
            if p
        )
        return f"{where}: {self.message_en}" if where else self.message_en


class FileRejected(Exception):
    """The whole file goes to quarantine."""

    def __init__(self, problem: Problem):
        super().__init__(problem.located_en())
        self.problem = problem
