"""What a reader of a report sees, file by file, for comparing two renderings of the same period
(tests/test_engine_reports.py): the HTML page's visible text, every xlsx sheet's cell values (and the comments
of a highlighted workbook), the PDF's text and the Word 公文's paragraphs and table cells."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

from openpyxl import load_workbook
from python_calamine import CalamineWorkbook
from report_reading import pdf_text


class _VisibleText(HTMLParser):
    """Text a browser shows: every text node outside <style>/<script>, plus the SVG charts' labels."""

    HIDDEN = {"style", "script"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self._hidden += tag in self.HIDDEN

    def handle_endtag(self, tag: str) -> None:
        self._hidden -= tag in self.HIDDEN

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.parts.append(" ".join(data.split()))


def html_text(path: Path) -> list[str]:
    parser = _VisibleText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser.parts


def xlsx_cells(path: Path) -> dict[str, list[list]]:
    book = CalamineWorkbook.from_path(str(path))
    return {name: book.get_sheet_by_name(name).to_python() for name in book.sheet_names}


def xlsx_comments(path: Path) -> dict[str, dict[str, str]]:
    """sheet -> cell -> comment text (the highlighted workbook's messages live in comments)."""
    book = load_workbook(path)
    return {
        ws.title: {c.coordinate: c.comment.text for row in ws.iter_rows() for c in row if c.comment}
        for ws in book.worksheets
    }


def docx_text(path: Path) -> list[str]:
    from docx import Document

    doc = Document(str(path))
    cells = [c.text for t in doc.tables for r in t.rows for c in r.cells]
    return [p.text for p in doc.paragraphs] + cells


def what_readers_see(folder: Path) -> dict[str, object]:
    """Every report file under `folder` (relative name -> what it shows)."""
    seen: dict[str, object] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and not p.name.startswith(".")):
        name = str(path.relative_to(folder))
        if path.suffix == ".html":
            seen[name] = html_text(path)
        elif path.suffix == ".xlsx":
            seen[name] = (xlsx_cells(path), xlsx_comments(path))
        elif path.suffix == ".pdf":
            seen[name] = pdf_text(path)
        elif path.suffix == ".docx":
            seen[name] = docx_text(path)
        else:
            seen[name] = path.read_bytes()
    return seen
