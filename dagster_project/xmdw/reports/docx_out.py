"""The monthly bulletin as a Word 公文 (.docx), one per region, for the office that forwards it: the layout of
GB/T 9704 as far as python-docx reaches — A4 with 公文 margins, the issuing office's mark in red 小标宋 with a
red rule, the 文号 line, the title in 方正小标宋简体 (二号), the body in 仿宋_GB2312 (三号, fixed 28 pt lines,
two-character indent), headings in 黑体, tables in 仿宋, the 成文日期 in Chinese numerals and "— 1 —" page
numbers. Fonts are named, not embedded (Word/WPS on an office PC has them; elsewhere it substitutes).

The text is the report's own: the 文字通报 paragraph (narrative.py) and selections of the same tables as the
xlsx/HTML/PDF (blocks.py); every number is a mart value, formatted only.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from docx import Document as new_docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor

from xmdw.core.atomic import atomic_path
from xmdw.reports import mart_reader as mr
from xmdw.reports import narrative
from xmdw.reports.blocks import (
    at_risk_table,
    deadlines_table,
    ranking_table,
    region_row,
    region_rows,
    snail_table,
)
from xmdw.reports.document import Table, cell_kind, fmt, records

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_NO_FONT = "宋体"
RED = RGBColor(0xFF, 0x00, 0x00)
DIGITS_ZH = "〇一二三四五六七八九"
CST = timezone(timedelta(hours=8))
SUFFIX = "_公文"


def chinese_date(day: date) -> str:
    """二〇二四年十二月六日 (the 成文日期 written in Chinese numerals)."""

    def small(n: int) -> str:  # 1..31
        tens, ones = divmod(n, 10)
        return (
            ("" if tens < 2 else DIGITS_ZH[tens]) + ("十" if tens else "") + (DIGITS_ZH[ones] if ones else "")
        )

    return f"{''.join(DIGITS_ZH[int(d)] for d in str(day.year))}年{small(day.month)}月{small(day.day)}日"


def _font(run, name: str, size: float, bold: bool = False, colour: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = Pt(size)
    if bold:
        run.font.bold = True
    if colour is not None:
        run.font.color.rgb = colour
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), name)  # CJK text uses this


def _para(doc, text: str, font: str = BODY_FONT, size: float = 16, *, align=None, indent: bool = False,
          bold: bool = False, colour: RGBColor | None = None, exact: float | None = 28):  # fmt: skip
    p = doc.add_paragraph()
    fmt_ = p.paragraph_format
    if exact:
        fmt_.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        fmt_.line_spacing = Pt(exact)
    fmt_.space_before = fmt_.space_after = Pt(0)
    if indent:
        fmt_.first_line_indent = Pt(size * 2)
    if align is not None:
        p.alignment = align
    _font(p.add_run(text), font, size, bold, colour)
    return p


def _red_rule(paragraph) -> None:
    """The red separator line under the 文号 (a bottom border of its paragraph)."""
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("val", "single"), ("sz", "12"), ("space", "6"), ("color", "FF0000")):
        bottom.set(qn(f"w:{key}"), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _page_numbers(section) -> None:
    """ "— 1 —" centred in the footer (a PAGE field)."""
    p = section.footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(p.add_run("— "), PAGE_NO_FONT, 14)
    run = p.add_run()
    _font(run, PAGE_NO_FONT, 14)
    for kind, text in (("begin", None), (None, "PAGE"), ("end", None)):
        if kind:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        else:
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = text
        run._r.append(el)
    _font(p.add_run(" —"), PAGE_NO_FONT, 14)


def _table(doc, table: Table, keys: list[str]) -> None:
    """A selection of a report table's columns, values formatted as in the other formats (the section heading
    names it)."""
    if not table.rows:
        _para(doc, table.empty, size=14, indent=True)
        return
    cols = [c for key in keys for c in table.cols if c.key == key]
    t = doc.add_table(rows=len(table.rows) + 1, cols=len(cols))
    t.style = "Table Grid"
    t.alignment = WD_TABLE_ALIGNMENT.CENTER
    cells = t._cells  # the whole grid at once: row-by-row cell access is quadratic in python-docx
    texts = [c.title for c in cols] + [
        fmt(row.get(col.key), cell_kind(col, row)) for row in table.rows for col in cols
    ]
    for i, (cell, text) in enumerate(zip(cells, texts, strict=True)):
        run = cell.paragraphs[0].add_run(text)  # 仿宋 10.5 pt from the Normal style (run formatting is slow)
        if i < len(cols):
            run.font.bold = True


def issuer(region_name: str) -> str:
    return f"{region_name}重点项目推进工作专班办公室"


def doc_number(short_name: str, year: int, month: int) -> str:
    """The 文号 line: 机关代字〔年份〕序号 — the month's issue number; the office may renumber it in Word."""
    return f"{short_name}项推办〔{year}〕{month}号"


def addressees(region_name: str) -> str:
    level = region_name[-1:] or "县"
    towns = "各镇人民政府" if level == "县" else "各乡镇人民政府"
    return f"{towns}、各街道办事处，{level}级各有关部门："


def region_docx(snap: mr.Snapshot, code: str, path: Path, issued: date) -> Path:
    region = region_row(snap.regions, code)
    name = region.get("region_name") or code
    short = (region.get("region_name") or code)[:2]
    y, m = snap.year, snap.month
    doc = new_docx()
    normal = doc.styles["Normal"]  # table cells; body paragraphs set their own size
    _font(normal, BODY_FONT, 10.5)
    section = doc.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(37), Mm(35)
    section.left_margin, section.right_margin = Mm(28), Mm(26)
    _page_numbers(section)

    _para(doc, issuer(name), TITLE_FONT, 26, align=WD_ALIGN_PARAGRAPH.CENTER, colour=RED, exact=None)
    number_line = _para(doc, doc_number(short, y, m), align=WD_ALIGN_PARAGRAPH.CENTER)
    _red_rule(number_line)
    _para(doc, "", exact=28)
    _para(doc, f"关于{y}年1—{m}月重点项目推进情况的通报", TITLE_FONT, 22,
          align=WD_ALIGN_PARAGRAPH.CENTER, exact=36)  # fmt: skip
    _para(doc, "")
    _para(doc, addressees(name))
    row = region_row(snap.bulletin_figures, code)
    if row:
        _para(doc, narrative.monthly(row).text, indent=True)
    _para(doc, "现将具体情况通报如下。", indent=True)

    targets = region_rows(snap.targets, code)
    attention = (
        targets[targets["report_status"].isin(["滞后", "严重滞后", "未完成"])] if len(targets) else targets
    )
    sections = [
        ("一、各牵头单位投资完成情况", ranking_table(region_rows(snap.ranking, code), "lead_unit", "投资完成情况（按牵头单位）"),
         ["rank_completion", "group_name", "projects_planned", "ytd_completed_wan", "completion_ratio", "pace_gap"]),
        ("二、进度滞后和到期未完成的重点指标", _attention_table(attention),
         ["target_id", "indicator_zh", "lead_unit", "target_value", "unit", "actual_value", "report_status"]),
        ("三、年底预计难以完成的目标", at_risk_table(targets),
         ["target_id", "indicator_zh", "lead_unit", "target_value", "unit", "forecast_at_due"]),
        ("四、蜗牛项目", snail_table(region_rows(snap.snails, code), f"蜗牛项目（{m}月）"),
         ["snail_rank_in_region", "project_name", "lead_unit", "completion_ratio", "snail_reasons_zh"]),
        ("五、资金与债券节点预警", deadlines_table(region_rows(snap.deadlines, code), "逾期或临近截止的节点", ("逾期", "临近")),
         ["project_name", "fund_type", "milestone", "due_date", "progress_ratio", "status"]),
    ]  # fmt: skip
    for heading, table, keys in sections:
        _para(doc, heading, HEADING_FONT, 16)
        _table(doc, table, keys)
    _para(doc, "")
    _para(doc, issuer(name), align=WD_ALIGN_PARAGRAPH.RIGHT)
    _para(doc, chinese_date(issued), align=WD_ALIGN_PARAGRAPH.RIGHT)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return path


def _attention_table(targets) -> Table:
    from xmdw.reports.blocks import targets_table

    table = targets_table(targets, "进度滞后、严重滞后和到期未完成的指标")
    table.empty = "无进度滞后或到期未完成的指标。"
    return table


def write_monthly_docx(snap: mr.Snapshot, out_dir: Path, stem: str, issued: date | None = None) -> list[Path]:
    """One 公文 per region into <stem>_公文/: <区县>_<stem>.docx."""
    folder = Path(out_dir) / f"{stem}{SUFFIX}"
    folder.mkdir(parents=True, exist_ok=True)
    day = issued or datetime.now(CST).date()
    return [
        region_docx(snap, r["region_code"], folder / f"{r['region_name']}_{stem}.docx", day)
        for r in records(snap.regions)
    ]
