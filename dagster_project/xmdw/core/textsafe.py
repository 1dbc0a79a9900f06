"""Neutralise spreadsheet formula injection in every CSV and xlsx the project writes.

Excel, WPS and LibreOffice treat a cell whose text starts with = + - @ (or a tab / carriage return
followed by one) as a formula. Ledger text is untrusted (any unit can type `=HYPERLINK(...)`), so text we
write is prefixed with an apostrophe, the OWASP-recommended neutraliser that spreadsheets display as-is.
Numbers are left alone: a negative number is data, not a formula.
"""

from __future__ import annotations

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: object) -> object:
    """`value` unchanged unless it is text a spreadsheet would evaluate; then prefixed with `'`."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value
