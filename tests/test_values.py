from datetime import date, datetime
from decimal import Decimal

import pytest

from xmdw.ingestion import values as V


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("1,234.5", Decimal("1234.5")),
        ("１２３４．５", Decimal("1234.5")),  # full-width digits and point
        ("１，２３４", Decimal("1234")),  # full-width thousands separator
        (" 12 ", Decimal("12")),
        (12.5, Decimal("12.5")),
        (7, Decimal("7")),
        ("-", None),
        ("", None),
        (None, None),
    ],
)
def test_parse_decimal(raw, expected):
    assert V.parse_decimal(raw)[0] == expected


@pytest.mark.parametrize("raw", ["约100", "1.2亿", "待定", "12..5"])
def test_parse_decimal_rejects_text(raw):
    with pytest.raises(V.ValueProblem) as exc:
        V.parse_decimal(raw)
    assert exc.value.rule == "ING-NUM"
    assert str(raw) in exc.value.message_zh


@pytest.mark.parametrize(
    "raw, expected",
    [
        ("2024-03-15", date(2024, 3, 15)),
        ("2024/3/15", date(2024, 3, 15)),
        ("2024.3.15", date(2024, 3, 15)),
        ("2024年3月15日", date(2024, 3, 15)),
        ("2024年3月", date(2024, 3, 1)),
        ("20240315", date(2024, 3, 15)),
        (45366, date(2024, 3, 15)),  # Excel serial
        ("45366", date(2024, 3, 15)),
        (datetime(2024, 3, 15, 10, 0), date(2024, 3, 15)),
        (date(2024, 3, 15), date(2024, 3, 15)),
        ("2024-03-15 00:00:00", date(2024, 3, 15)),
    ],
)
def test_parse_date(raw, expected):
    assert V.parse_date(raw) == expected


@pytest.mark.parametrize("raw", ["2024-02-30", "下月", 123, "2024年13月"])
def test_parse_date_rejects(raw):
    with pytest.raises(V.ValueProblem):
        V.parse_date(raw)


def test_parse_ratio():
    assert V.parse_ratio("85%", False) == Decimal("0.85")
    assert V.parse_ratio(85, False) == Decimal("0.85")  # > 1 means percent
    assert V.parse_ratio(0.85, False) == Decimal("0.85")
    # under a % header a number up to 1 is a fraction (Excel stores 100 % typed in a cell as 1) ...
    assert V.parse_ratio(1, True) == Decimal("1")
    assert V.parse_ratio(0.45, True) == Decimal("0.45")
    assert V.parse_ratio(45, True) == Decimal("0.45")
    # ... unless the column publishes percent points (statistics bureau growth): 0.8 means 0.8 %
    assert V.parse_ratio(0.8, True, percent_points=True) == Decimal("0.008")


def test_parse_amount_applies_unit_factor():
    assert V.parse_amount("1.5", V.MONEY_UNITS["亿元"]) == Decimal("15000.0")
    assert V.parse_amount("12,345,678", V.MONEY_UNITS["元"]) == Decimal("1234.5678")
    with pytest.raises(V.ValueProblem):
        V.parse_amount("85%", Decimal(1))


@pytest.mark.parametrize(
    "text, expected",
    [
        ("总投资（亿元）", ("money", "亿元")),
        ("单位：万元", ("money", "万元")),
        ("金额单位:元", ("money", "元")),
        ("(万美元)", ("usd", "万美元")),
        ("形象进度(%)", ("percent", "%")),
        ("开工累计完成投资", None),
        ("元旦", None),
    ],
)
def test_find_unit(text, expected):
    assert V.find_unit(text) == expected


def test_month_and_year():
    assert V.parse_month("1-3月") == 3
    assert V.parse_month("1—12月") == 12
    assert V.parse_month(2) == 2
    assert V.parse_year("2024年") == 2024
    with pytest.raises(V.ValueProblem):
        V.parse_month(13)


def test_bool():
    assert V.parse_bool("是") is True
    assert V.parse_bool("否") is False
    assert V.parse_bool("√") is True
    assert V.parse_bool(None) is None
    with pytest.raises(V.ValueProblem):
        V.parse_bool("也许")


@pytest.mark.parametrize("raw", ["12,34", "1,2,3", "1234,5", "1,23"])
def test_thousands_separators_elsewhere_than_every_three_digits_are_refused(raw):
    with pytest.raises(V.ValueProblem) as exc:
        V.parse_decimal(raw)
    assert exc.value.rule == "ING-NUM-SEP"


@pytest.mark.parametrize("raw", ["1E+30", 1e30, float("inf"), "1e999999999"])
def test_absurd_magnitudes_are_refused_not_crashed_on(raw):
    with pytest.raises(V.ValueProblem) as exc:
        V.parse_decimal(raw)
    assert exc.value.rule == "ING-RANGE"


@pytest.mark.parametrize("raw", [1.2345678901234568e17, "1.23457E+17", 1e15, 2024001.5, True])
def test_identifiers_typed_as_numbers_are_refused(raw):
    with pytest.raises(V.ValueProblem) as exc:
        V.parse_identifier(raw, "项目编号")
    assert exc.value.rule == "ING-CODE-NUM" and "请将该列设置为文本格式后重新填写" in exc.value.message_zh


def test_identifiers_exact_as_excel_shows_them_are_kept():
    assert V.parse_identifier(610728.0, "区划代码") == "610728"
    assert V.parse_identifier("\u200b610728-2024-001\ufeff", "项目编号") == "610728-2024-001"
    assert (
        V.parse_identifier("１２３４５６７８９０１２３４５６７８", "项目编号") == "123456789012345678"
    )  # text: exact


@pytest.mark.parametrize("raw", [date(9999, 12, 31), date(1900, 2, 28), "1949-12-31", "2101-01-01"])
def test_implausible_dates_are_refused(raw):
    with pytest.raises(V.ValueProblem) as exc:
        V.parse_date(raw)
    assert "日期应写作 2024-03-15 或 2024年3月15日" in exc.value.message_zh


def test_invisible_characters_and_no_break_spaces():
    assert V.clean_text("\ufeffP1\u200b\u200c\u200d") == "P1"
    assert V.raw_text("镇巴\u00a0县\u2060") == "镇巴 县"
