"""Report periods as Dagster partitions, in China Standard Time.

Month keys are `YYYY-MM` (the report month of 月通报), quarter keys `YYYY-Qn` are derived from the
quarter's first month (`YYYY-MM`), year keys `YYYY`. The first period is January 2023: the demo and the
province benchmark carry the plan year before the current one.
"""

from datetime import date, datetime

from dagster import MonthlyPartitionsDefinition, TimeWindowPartitionsDefinition

TIMEZONE = "Asia/Shanghai"
FIRST_PERIOD = "2023-01"

MONTHLY = MonthlyPartitionsDefinition(start_date=FIRST_PERIOD, fmt="%Y-%m", timezone=TIMEZONE)
QUARTERLY = TimeWindowPartitionsDefinition(
    cron_schedule="0 0 1 1,4,7,10 *", start=FIRST_PERIOD, fmt="%Y-%m", timezone=TIMEZONE
)
YEARLY = TimeWindowPartitionsDefinition(cron_schedule="0 0 1 1 *", start="2023", fmt="%Y", timezone=TIMEZONE)


def month_key(year: int, month: int) -> str:
    return f"{year:04d}-{month:02d}"


def previous_month(day: date | datetime) -> str:
    """The report month a bulletin issued on `day` covers: the month before."""
    return month_key(day.year - 1, 12) if day.month == 1 else month_key(day.year, day.month - 1)


def previous_quarter(day: date | datetime) -> str:
    """Key (first month, YYYY-MM) of the last complete quarter before `day`."""
    quarter = (day.month - 1) // 3  # 0-based quarter of `day`
    return month_key(day.year - 1, 10) if quarter == 0 else month_key(day.year, 3 * (quarter - 1) + 1)


def quarter_of(key: str) -> tuple[int, int]:
    """'2024-10' -> (2024, 4)."""
    year, month = (int(p) for p in key.split("-"))
    return year, (month - 1) // 3 + 1
