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
    assert V.parse_ratio(1, True) == Decimal("0.01")  # the header says %


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
