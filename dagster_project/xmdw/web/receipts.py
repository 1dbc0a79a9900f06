"""The submission page's own small store: one JSON receipt per upload under `data/web/receipts/`, and a
folder per receipt holding its highlighted copy. Nothing here is a source of figures: the build loads
the queued file, the warehouse and the published copy stay the record."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta, timezone
from pathlib import Path

from xmdw.contract import load_contract
from xmdw.core.atomic import write_text_atomic
from xmdw.ingestion.batch import FileOutcome

CST = timezone(timedelta(hours=8), "CST")  # China Standard Time: no daylight saving
RECEIPT_ID = re.compile(r"^[0-9a-f]{32}$")

VERDICT_ZH = {
    "received": "已接收",  # loadable, no row refused, no fatal finding
    "partly": "退回修改：部分行需改正",  # loadable, but rows refused or held back
    "refused": "退回修改：文件未能使用",  # quarantined: nothing of it can be loaded
}


@dataclass
class Receipt:
    id: str
    unit: str
    file_name: str
    received_at: datetime
    stored_name: str = ""
    sha256: str = ""
    size_bytes: int = 0
    status: str = ""  # accepted | quarantined (as ingestion says)
    verdict: str = ""  # received | partly | refused
    ledgers: list[str] = field(default_factory=list)  # 台账 names in Chinese
    year: int | None = None
    month: int | None = None
    region: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    rows_rejected: int = 0
    rows_skipped: int = 0
    file_problem: dict | None = None  # rule, message_zh of a quarantined file
    problems: list[dict] = field(default_factory=list)
    problems_total: int = 0
    fatal_rows: int = 0  # rows that would not reach the figures (rejected or held back)
    rules_checked: int = 0
    highlighted: str | None = None
    same_as: str | None = None  # an earlier accepted receipt with the same bytes
    queued_as: str = ""
    seconds: float = 0.0

    @property
    def verdict_zh(self) -> str:
        return VERDICT_ZH.get(self.verdict, self.verdict)

    @property
    def period_zh(self) -> str:
        if self.year and self.month:
            return f"{self.year}年{self.month}月"
        return f"{self.year}年" if self.year else "未注明（台账不分月份）"

    @property
    def received_zh(self) -> str:
        return self.received_at.astimezone(CST).strftime("%Y-%m-%d %H:%M:%S")

    def set_content(self, data: bytes) -> None:
        self.sha256, self.size_bytes = hashlib.sha256(data).hexdigest(), len(data)

    def fill(self, outcome: FileOutcome, logs: list[dict], problems: list[dict]) -> None:
        """What the scratch ingestion said: one log row per ledger of the file."""
        entities = load_contract().entities
        self.status = outcome.status
        self.ledgers = [entities[g["entity"]].zh for g in logs if g["entity"] in entities]
        first = logs[0] if logs else {}
        self.year, self.month, self.region = first.get("year"), first.get("month"), first.get("region")
        self.rows_read = sum(g["read"] or 0 for g in logs)
        self.rows_loaded = sum(g["loaded"] or 0 for g in logs)
        self.rows_rejected = sum(g["rejected"] or 0 for g in logs)
        self.rows_skipped = sum(g["skipped"] or 0 for g in logs)
        if outcome.status != "accepted" and outcome.reason is not None:
            self.file_problem = {"rule": outcome.reason.rule, "message_zh": outcome.reason.located_zh()}
        self.problems, self.problems_total = problems, len(problems)
        self.fatal_rows = len({(p["sheet"], p["row"]) for p in problems if p["severity"] == "fatal"})
        if outcome.status != "accepted":
            self.verdict = "refused"
        else:
            self.verdict = "partly" if self.fatal_rows else "received"

    def as_json(self) -> str:
        data = asdict(self)
        data["received_at"] = self.received_at.isoformat()
        return json.dumps(data, ensure_ascii=False, indent=1)

    @classmethod
    def from_json(cls, text: str) -> Receipt:
        data = json.loads(text)
        data["received_at"] = datetime.fromisoformat(data["received_at"])
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})


class ReceiptStore:
    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def folder_of(self, receipt_id: str) -> Path:
        return self.folder / receipt_id

    def save(self, receipt: Receipt) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        write_text_atomic(self.folder / f"{receipt.id}.json", receipt.as_json())

    def get(self, receipt_id: str) -> Receipt | None:
        if not RECEIPT_ID.match(receipt_id):
            return None
        path = self.folder / f"{receipt_id}.json"
        return Receipt.from_json(path.read_text(encoding="utf-8")) if path.is_file() else None

    def all(self) -> list[Receipt]:
        """Every receipt, newest first (a damaged file is skipped, not fatal to the page)."""
        out = []
        for path in self.folder.glob("*.json") if self.folder.is_dir() else []:
            try:
                out.append(Receipt.from_json(path.read_text(encoding="utf-8")))
            except (OSError, ValueError, TypeError, KeyError):
                continue
        return sorted(out, key=lambda r: r.received_at, reverse=True)

    def of_unit(self, unit: str) -> list[Receipt]:
        return [r for r in self.all() if r.unit == unit]

    def accepted_with_sha(self, sha256: str) -> str | None:
        return next((r.id for r in self.all() if r.sha256 == sha256 and r.status == "accepted"), None)
