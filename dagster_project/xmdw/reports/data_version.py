"""The data version a report read: printed on the report (subtitle, notes, HTML footer) and recorded in
data/serving/versions/issued.json, so retention keeps that version and `xmdw diff --month` can compare
the figures the report printed with the current ones."""

from __future__ import annotations

from pathlib import Path

from xmdw.reports import mart_reader as mr
from xmdw.reports.document import Document
from xmdw.serving.versions import record_issued, to_cst, versions_root


def version_line(snap: mr.Snapshot) -> str:
    """The data version a report read, as its footer prints it."""
    v = snap.version
    if not v:
        return "数据版本：构建库（非发布副本，无版本号）"
    when = f"（{to_cst(v['published_at'])} 发布）" if v.get("published_at") else ""
    return f"数据版本：{v['version_id']}{when}；此后如有更正重报，数据管理员可列出哪些数字变化及其原因"


def date_document(doc: Document, snap: mr.Snapshot) -> Document:
    """Print the version read in the subtitle (top of every sheet/page), the notes and the HTML footer."""
    line = version_line(snap)
    doc.subtitle = f"{doc.subtitle} · {line.split('；')[0]}"
    doc.notes = [*doc.notes, line]
    doc.footer = line
    return doc


def record_report_version(database: Path | None, doc: Document, snap: mr.Snapshot, files: list[Path]) -> None:
    """Remember the version this report read (versions/issued.json): retention keeps it, `diff --month` uses it."""
    if database is None or not snap.version:
        return
    serving_dir = Path(database).resolve().parent
    if (versions_root(serving_dir) / snap.version["version_id"]).exists():
        record_issued(serving_dir, doc.stem, snap.version["version_id"], [f.name for f in files])
