"""Parse the cell values units really type into canonical values.

Every parser takes the raw cell (str, int, float, datetime, date, bool or None) and returns the
canonical value or None for an empty cell, or raises `ValueProblem` carrying a bilingual message.
Money is returned in the unit of the column's declared factor already applied (万元 / 万美元).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
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


def clean_text(raw: object) -> str | None:
    """Text with full-width characters folded (NFKC) and surrounding space removed; None if empty."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)  # an id typed as a number: 2024001.0 -> "2024001"
    s = unicodedata.normalize("NFKC", str(raw)).strip()
    return None if s.lower() in EMPTY_MARKERS else s


def raw_text(raw: object) -> str | None:
    """Free text as the unit wrote it (only trimmed); None if empty."""
    if raw is None:
        return None
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    s = str(raw).strip()
    return None if s.lower() in EMPTY_MARKERS else s


_NUMBER_RE = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def parse_decimal(raw: object) -> tuple[Decimal | None, bool]:
    """A number from a cell: full-width digits, thousands separators, spaces and a % sign allowed.

    Returns (value, had_percent_sign). Raises ValueProblem for text that is not a number
    ("约100", "1.2亿", "待定").
    """
    if raw is None or isinstance(raw, bool):
        return None, False
    if isinstance(raw, int | float):
        if isinstance(raw, float) and raw != raw:  # NaN
            return None, False
        return Decimal(repr(raw)) if isinstance(raw, float) else Decimal(raw), False
    s = clean_text(raw)
    if s is None:
        return None, False
    s = s.replace(",", "").replace(" ", "").replace("'", "")
    percent = s.endswith("%")
    if percent:
        s = s[:-1]
    if not _NUMBER_RE.match(s):
        raise ValueProblem(
            "ING-NUM",
            f"“{raw}”不是有效数字（请填写纯数字，不要带“约”“亿”等文字）",
            f"'{raw}' is not a number (write digits only, no words such as 约/亿)",
        )
    try:
        return Decimal(s), percent
    except InvalidOperation as exc:  # pragma: no cover - regex already guards
        raise ValueProblem("ING-NUM", f"“{raw}”不是有效数字", f"'{raw}' is not a number") from exc


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


def parse_ratio(raw: object, header_says_percent: bool) -> Decimal | None:
    """A ratio as a fraction. '85%' -> 0.85; 85 -> 0.85 when the header says % or the number is > 1."""
    value, percent = parse_decimal(raw)
    if value is None:
        return None
    if percent or header_says_percent or abs(value) > 1:
        return value / 100
    return value


def parse_int(raw: object) -> int | None:
    value, percent = parse_decimal(raw)
    if value is None:
        return None
    if percent or value != value.to_integral_value():
        raise ValueProblem("ING-INT", f"“{raw}”应为整数", f"'{raw}' should be a whole number")
    return int(value)


def parse_year(raw: object) -> int | None:
    if isinstance(raw, datetime | date):
        return raw.year
    s = clean_text(raw)
    if s is None:
        return None
    m = re.fullmatch(r"(\d{4})(年|年度)?", s)
    year = int(m.group(1)) if m else None
    if year is None or not 2000 <= year <= 2100:
        raise ValueProblem(
            "ING-YEAR", f"“{raw}”不是有效年度（应为如 2024）", f"'{raw}' is not a valid year (e.g. 2024)"
        )
    return year


def parse_month(raw: object) -> int | None:
    if isinstance(raw, datetime | date):
        return raw.month
    s = clean_text(raw)
    if s is None:
        return None
    # "3", "3月", "03", "1-3月", "1—3月" (cumulative label: the month is the last one)
    m = re.fullmatch(r"(?:1\s*[-—–~至到]\s*)?(\d{1,2})(月|月份)?", s)
    month = int(m.group(1)) if m else None
    if month is None or not 1 <= month <= 12:
        raise ValueProblem(
            "ING-MONTH", f"“{raw}”不是有效月份（1—12）", f"'{raw}' is not a valid month (1-12)"
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


def parse_date(raw: object) -> date | None:
    """Dates as units type them: 2024-03-15, 2024/3/15, 2024.3.15, 2024年3月15日, 2024年3月 (first of
    the month), 20240315, Excel serial numbers and real Excel dates."""
    if raw is None:
        return None
    if isinstance(raw, datetime):
        return raw.date()
    if isinstance(raw, date):
        return raw
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        if EXCEL_SERIAL_RANGE[0] <= raw <= EXCEL_SERIAL_RANGE[1]:
            return EXCEL_EPOCH + timedelta(days=int(raw))
        raise ValueProblem("ING-DATE", f"“{raw}”不是有效日期", f"'{raw}' is not a valid date")
    s = clean_text(raw)
    if s is None:
        return None
    s = s.replace(" ", "") if "年" in s else s
    if re.fullmatch(r"\d{5}(\.0+)?", s):
        return parse_date(float(s))
    for pattern in _DATE_PATTERNS:
        m = pattern.match(s)
        if m:
            return _make_date(raw, int(m.group(1)), int(m.group(2)), int(m.group(3)))
    for pattern in _MONTH_PATTERNS:
        m = pattern.match(s)
        if m:
            return _make_date(raw, int(m.group(1)), int(m.group(2)), 1)
    raise ValueProblem(
        "ING-DATE",
        f"“{raw}”不是可识别的日期（请用 2024-03-15 或 2024年3月15日）",
        f"'{raw}' is not a recognisable date (use 2024-03-15 or 2024年3月15日)",
    )


def _make_date(raw: object, y: int, m: int, d: int) -> date:
    try:
        return date(y, m, d)
    except ValueError as exc:
        raise ValueProblem("ING-DATE", f"“{raw}”不是存在的日期", f"'{raw}' is not a calendar date") from exc


_TRUE = {"是", "y", "yes", "true", "1", "√", "✓", "有", "已入库", "入库", "已纳统"}
_FALSE = {"否", "n", "no", "false", "0", "×", "✗", "无", "未入库", "未纳统", "不是"}


def parse_bool(raw: object) -> bool | None:
    if isinstance(raw, bool):
        return raw
    if isinstance(raw, int | float):
        raw = str(int(raw)) if float(raw).is_integer() else str(raw)
    if raw is None:
        return None
    s = unicodedata.normalize("NFKC", str(raw)).strip().lower()
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
