"""Files units mail in that are not ledgers at all: a Word explanation and an Excel narrative report. Both
must go to quarantine."""

from __future__ import annotations

import zipfile
from datetime import datetime
from pathlib import Path

from xmdw_demo import catalog as C
from xmdw_demo.county_writer import CountyWriter
from xmdw_demo.summary import QUARANTINED_FILE
from xmdw_demo.writer import Col, Style


def write_non_ledgers(cw: CountyWriter) -> None:
    y = cw.year
    path = cw.out / "镇巴县" / f"县发改局_关于{y}年重点项目推进情况的说明.docx"
    size = write_docx(path, [
        f"关于{y}年重点项目推进情况的说明",
        "县高质量项目推进年工作专班：",
        "截至目前，我县45个重点项目中新开工项目均已按计划推进，个别项目因要素保障问题进度滞后，详见月度台账。",
        "镇巴县发展和改革局",
    ])  # fmt: skip
    cw.s.add_file("quarantine", 0, size)
    cw.s.files.append({"file": cw.rel(path), "entity": "quarantine", "rows": 0})
    cw.events.append((datetime(y, 6, 12, 17), len(cw.events), path))
    cw.s.inject(kind="not_a_ledger", file=cw.rel(path), expect=QUARANTINED_FILE, rule="ING-F0",
                entity=None)  # fmt: skip
    # an Excel "ledger" that is really a narrative report: no known headers
    cols = [Col("x:text", f"{y}年6月工作简报", "text")]
    rows = [{"x:text": t} for t in (
        "一、总体情况：上半年全区重点项目建设总体平稳。",
        "二、存在问题：部分项目要素保障不足，资金到位较慢。",
        "三、下步打算：持续开展“六个一”项目推进，强化蜗牛项目评选。",
    )]  # fmt: skip
    st = Style(sheet_name="简报")
    name = f"区住建局_{y}年06月_工作简报"
    wr = cw.write("non_ledger", C.BZ, name, cols, rows, st, datetime(y, 7, 3, 10), count_as="quarantine")
    cw.s.inject(kind="not_a_ledger", file=cw.rel(wr.path), expect=QUARANTINED_FILE, sheet=wr.sheet,
                rule="ING-F1", entity=None)  # fmt: skip


def write_docx(path: Path, paragraphs: list[str]) -> int:
    """A minimal, valid .docx (not a ledger) with fixed zip timestamps."""
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{_xml_escape(p)}</w:t></w:r></w:p>' for p in paragraphs
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-'
            'officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in parts.items():
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, text.encode("utf-8"))
    return path.stat().st_size


def _xml_escape(s: str) -> str:
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
