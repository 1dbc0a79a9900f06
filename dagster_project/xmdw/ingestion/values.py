"""Parse the cell values units really type into canonical values.

Every parser takes the raw cell (str, int, float, datetime, date, bool or None) and returns the
canonical value or None for an empty cell, or raises `ValueProblem` carrying a bilingual message.
Money is returned in the unit of the column's declared factor already applied (万元 / 万美元).

"Exact or refused": a value is either read as exactly what the unit typed or refused with a message that
says what is expected — never guessed (`12,34` is not 1234, `1.23457E+17` is not a project id, 9999-12-31
is not a planned date). Invisible characters (zero-width spaces, BOMs) are removed from every text.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, time, timedelta
from decimal import Decimal, InvalidOperation

# Cells meaning "nothing here" in Chinese ledgers.
EMPTY_MARKERS = {"", "-", "--", "—", "——", "/", "无", "暂无", "空", "null", "none", "nan", "n/a", "#n/a"}

# Factor that converts a declared money unit to the canonical one (万元 for money, 万美元 for usd).
MONEY_UNITS: dict[str, Decimal] = {
    "元": Decimal("0.0001"),
    "千元": Decimal("0.1"),
    "万元": Decimal("1"),
    "十万元": Decimal("10"),
    "百万元": Decimal("100"),
    "亿元": Decimal("10000"),
}
USD_UNITS: dict[str, Decimal] = {
    "美元": Decimal("0.0001"),
    "千美元": Decimal("0.1"),
    "万美元": Decimal("1"),
    "百万美元": Decimal("100"),
    "亿美元": Decimal("10000"),
}
EXCEL_EPOCH = date(1899, 12, 30)
# Excel serials accepted as dates: 1954-10-… to 2064-…; anything else is a number, not a date.
EXCEL_SERIAL_RANGE = (20000, 60000)


class ValueProblem(ValueError):
    """A cell that cannot be read as its column's type."""

    def __init__(self, rule: str, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.rule = rule
        self.message_zh = message_zh
        self.message_en = message_en


# Characters a copy from a web page, Word or WeChat leaves in a cell that nobody can see: zero-width
# spaces/joiners, word joiner, BOM, soft hyphen and bidi marks are removed; no-break and ideographic
# spaces become ordinary spaces.
INVISIBLE = dict.fromkeys(
    [0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0x200E, 0x200F, *range(0x202A, 0x202F), 0x180E]
)
INVISIBLE |= {0x00A0: " ", 0x3000: " ", 0x2007: " ", 0x202F: " "}


def strip_invisible(s: str) -> str:
    return s.translate(INVISIBLE)


def _as_text(raw: object) -> str:
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # an id typed as a number: 2024001.0 -> "2024001"
    return strip_invisible(str(raw))


def clean_text(raw: object) -> str | None:
    """Text with full-width characters folded (NFKC), invisible characters and surrounding space
    removed; None if empty."""
    if raw is None:
        return None
    s = unicodedata.normalize("NFKC", _as_text(raw)).strip()
    return None if s.lower() in EMPTY_MARKERS else s


def raw_text(raw: object) -> str | None:
    """Free text as the unit wrote it (only trimmed, invisible characters removed); None if empty."""
    if raw is None:
        return None
    s = _as_text(raw).strip()
    return None if s.lower() in EMPTY_MARKERS else s


AS_TEXT_HINT = "请将该列设置为文本格式后重新填写"
_SCIENTIFIC_RE = re.compile(r"^[+-]?\d+(\.\d+)?[eE][+-]?\d+$")
MAX_EXACT_DIGITS = 15  # Excel keeps 15 significant digits of a number; the rest are invented


def parse_identifier(raw: object, zh: str) -> str | None:
    """A key or code (项目编号, 区划代码, 行业代码 …) as text. A number cell is accepted only when Excel
    shows it exactly (a whole number of at most 15 digits, e.g. 610728); scientific notation, longer
    numbers and fractions are refused: their digits are already lost."""
    if isinstance(raw, bool):
        raise _identifier_problem(raw, zh)
    if isinstance(raw, float) and not raw.is_integer():
        raise _identifier_problem(raw, zh)
    if isinstance(raw, int | float) and abs(raw) >= 10**MAX_EXACT_DIGITS:
        raise _identifier_problem(raw, zh)
    s = clean_text(raw)
    if s is not None and _SCIENTIFIC_RE.match(s.replace(" ", "")):
        raise _identifier_problem(s, zh)
    return s


def _identifier_problem(raw: object, zh: str) -> ValueProblem:
    shown = f"{raw:.6g}".upper() if isinstance(raw, float) else str(raw)
    return ValueProblem(
        "ING-CODE-NUM",
        f"“{zh}”填写的“{shown}”被 Excel 当成了数字（科学计数法或超过15位），编号的部分数字已经丢失；"
        f"{AS_TEXT_HINT}",
        f"'{zh}' holds '{shown}', a code stored as a number (scientific notation or more than 15 digits): "
        "digits are lost; format the column as text and type the codes again",
    )


_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
# Thousands separators only every three digits: 1,234,567.5 (and 1 234 567.5); never 12,34 or 1,2,3.
_GROUPED_RE = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d*)?$")
NUMBER_HINT = "请填写数字，如 1234.5（不要带“约”“亿”等文字）"
# A number whose magnitude needs more than this power of ten is no amount, ratio or count anyone
# reports; refused before any arithmetic (Decimal would overflow or lose exactness).
MAX_ADJUSTED_EXPONENT = 20


def _number_problem(raw: object) -> ValueProblem:
    return ValueProblem(
        "ING-NUM",
        f"“{raw}”不是有效数字；{NUMBER_HINT}",
        f"'{raw}' is not a number (write digits only, e.g. 1234.5, no words such as 约/亿)",
    )


def _ungroup(s: str, raw: object) -> str:
    """Remove thousands separators that sit every three digits; refuse any other comma."""
    grouped = s.replace(" ", ",") if " " in s else s
    if "," not in grouped:
        return s
    if not _GROUPED_RE.match(grouped):
        raise ValueProblem(
            "ING-NUM-SEP",
            f"“{raw}”中的千位分隔符位置不对：分隔符应每三位一个（如 1,234,567.5），小数点请用“.”；"
            "也可以不用分隔符（如 1234567.5）",
            f"'{raw}': thousands separators must sit every three digits (1,234,567.5); "
            "use '.' as the decimal point",
        )
    return grouped.replace(",", "")


def parse_decimal(raw: object) -> tuple[Decimal | None, bool]:
    """A number from a cell: full-width digits, thousands separators (every three digits), surrounding
    spaces and a % sign allowed.

    Returns (value, had_percent_sign). Raises ValueProblem for text that is not a number
    ("约100", "1.2亿", "待定", "12,34") and for magnitudes no ledger holds (1E+30).
    """
    if raw is None:
        return None, False
    if isinstance(raw, bool | date | time | timedelta):
        raise _number_problem(raw)
    if isinstance(raw, int | float):
        if isinstance(raw, float) and raw != raw:  # NaN
            return None, False
        value = Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw)
        return _bounded(value, raw), False
    s = clean_text(raw)
    if s is None:
        return None, False
    s = s.lstrip("'")  # a leading apostrophe is how a spreadsheet marks text, not part of the number
    percent = s.endswith("%")
    if percent:
        s = s[:-1].strip()
    s = _ungroup(s, raw).replace("'", "")
    if not _NUMBER_RE.match(s):
        raise _number_problem(raw)
    try:
        value = Decimal(s)
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards
        raise _number_problem(raw) from exc
    return _bounded(value, raw), percent


def _bounded(value: Decimal, raw: object) -> Decimal:
    if not value.is_finite() or (value and value.adjusted() > MAX_ADJUSTED_EXPONENT):
        raise ValueProblem(
            "ING-RANGE",
            f"“{raw}”数值过大，不是可以报送的数；请核对数值和单位",
            f"'{raw}' is far too large to be a reported figure; check the value and its unit",
        )
    if value and value.adjusted() < -MAX_ADJUSTED_EXPONENT:
        return Decimal(0)  # 1E-30: zero at any precision we store
    return value


def parse_amount(raw: object, factor: Decimal) -> Decimal | None:
    """Money (or USD) converted by the column's declared unit factor to 万元 (万美元)."""
    value, percent = parse_decimal(raw)
    if value is None:
        return None
    if percent:
        raise ValueProblem(
            "ING-NUM", f"金额列不能填百分数“{raw}”", f"amount column holds a percentage '{raw}'"
        )
    return value * factor


def parse_ratio(raw: object, header_says_percent: bool, percent_points: bool = False) -> Decimal | None:
    """A ratio as a fraction (docs/decisions: ratio entry).

    `85%` -> 0.85 always. A plain number greater than 1 (in absolute value) is percent: 85 -> 0.85. A
    plain number up to 1 is a fraction (0.45 -> 0.45, 1 -> 100 %: Excel stores 100 % typed into a
    cell as 1), also under a `%` header. Columns that publish percent points (`percent_points`,
    the statistics bureau's growth and share under a `%` header) read every plain number as percent:
    0.8 -> 0.008.
    """
    value, percent = parse_decimal(raw)
    if value is None:
        return None
    if percent or (header_says_percent and percent_points) or abs(value) > 1:
        return value / 100
    return value


def parse_int(raw: object) -> int | None:
    value, percent = parse_decimal(raw)
    if value is None:
        return None
    if percent or value != value.to_integral_value():
        raise ValueProblem(
            "ING-INT", f"“{raw}”应为整数（如 3）", f"'{raw}' should be a whole number (e.g. 3)"
        )
    return int(value)


YEAR_RANGE = (2000, 2100)


def parse_year(raw: object) -> int | None:
    if isinstance(raw, datetime | date):
        year: int | None = raw.year
    else:
        s = clean_text(raw)
        if s is None:
            return None
        m = re.fullmatch(r"(\d{4})(年|年度)?", s)
        year = int(m.group(1)) if m else None
    if year is None or not YEAR_RANGE[0] <= year <= YEAR_RANGE[1]:
        raise ValueProblem(
            "ING-YEAR",
            f"“{raw}”不是有效年度；年度应写作 2024 或 2024年",
            f"'{raw}' is not a valid year; write it as 2024",
        )
    return year


def parse_month(raw: object) -> int | None:
    if isinstance(raw, datetime | date):
        return raw.month
    s = clean_text(raw)
    if s is None:
        return None
    # "3", "3月", "03", "1-3月", "1—3月" (cumulative label: the month is the last one)
    m = re.fullmatch(r"(?:1\s*[-—–~至到]\s*)?(\d{1,2})(\.0+)?(月|月份)?", s)
    month = int(m.group(1)) if m else None
    if month is None or not 1 <= month <= 12:
        raise ValueProblem(
            "ING-MONTH",
            f"“{raw}”不是有效月份；月份应写作 1—12 的数字，如 3 或 3月",
            f"'{raw}' is not a valid month; write a number 1-12, e.g. 3 or 3月",
        )
    return month


_DATE_PATTERNS = [
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]
_MONTH_PATTERNS = [
    re.compile(r"^(\d{4})年(\d{1,2})月份?$"),
    re.compile(r"^(\d{4})[-/.](\d{1,2})$"),
]
DATE_HINT = "日期应写作 2024-03-15 或 2024年3月15日"
# Dates a project ledger can plausibly hold; 9999-12-31 ("no end"), 1900-01-00 (an empty Excel date)
# and typos such as 2204 are refused instead of being loaded as planned dates.
DATE_RANGE = (date(1950, 1, 1), date(2100, 12, 31))


def _date_problem(raw: object, what_zh: str, what_en: str) -> ValueProblem:
    return ValueProblem(
        "ING-DATE",
        f"“{raw}”{what_zh}；{DATE_HINT}",
        f"'{raw}' {what_en}; write dates as 2024-03-15 or 2024年3月15日",
    )


def parse_date(raw: object) -> date | None:
    """Dates as units type them: 2024-03-15, 2024/3/15, 2024.3.15, 2024年3月15日, 2024年3月 (first of
    the month), 20240315, Excel serial numbers and real Excel dates; only 1950-2100."""
    d = _read_date(raw)
    if d is not None and not DATE_RANGE[0] <= d <= DATE_RANGE[1]:
        raise _date_problem(
            raw, "不是合理的日期（应在1950年至2100年之间）", "is not a plausible date (1950-2100)"
        )
    return d


def _read_date(raw: object) -> date | None:
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, time | timedelta):  # Excel shows serial 0 / a duration: no calendar date
        raise _date_problem(raw, "不是日期", "is not a date")
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if EXCEL_SERIAL_RANGE[0] <= raw <= EXCEL_SERIAL_RANGE[1]:
            return EXCEL_EPOCH + timedelta(days=int(raw))
        raise _date_problem(raw, "不是有效日期", "is not a valid date")
    s = clean_text(raw)
    if s is None:
        return None
    s = s.replace(" ", "") if "年" in s else s
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return _read_date(float(s))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            return _make_date(raw, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(s)
        if m:
            return _make_date(raw, int(m.group(1)), int(m.group(2)), 1)
    raise _date_problem(raw, "不是可识别的日期", "is not a recognisable date")


def _make_date(raw: object, y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise _date_problem(raw, "不是存在的日期", "is not a calendar date") from exc


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "已入库", "入库", "已纳统"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "未入库", "未纳统", "不是"}


def parse_bool(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        raw = str(int(raw)) if float(raw).is_integer() else str(raw)
    if raw is None:
        return None
    s = unicodedata.normalize("NFKC", strip_invisible(str(raw))).strip().lower()
    if s == "":
        return None
    if s in _TRUE:
        return True
    if s in _FALSE:
        return False
    raise ValueProblem("ING-BOOL", f"“{raw}”应填“是”或“否”", f"'{raw}' should be 是 (yes) or 否 (no)")


def find_unit(text: str) -> tuple[str, str] | None:
    """('money'|'usd'|'percent', unit) declared in a header or units-row text, e.g. 总投资（亿元）,
    单位：万元, 金额单位：元, (万美元), %."""
    s = unicodedata.normalize("NFKC", text).replace(" ", "")
    for unit in sorted(USD_UNITS, key=len, reverse=True):
        if unit in s:
            return "usd", unit
    for unit in sorted(MONEY_UNITS, key=len, reverse=True):
        if re.search(rf"(^|[(\[:：/、,，]|单位){unit}($|[)\]/、,，])", s):
            return "money", unit
    if "%" in s or "百分比" in s:
        return "percent", "%"
    return None
