"""Canonical values of the bulk path: each distinct cell text of a column is read once by the parser's own
`rows.parse_cell` (so every unit, range, code list and date rule is the cell path's), and the one kind of
text whose reading is known without the parser — a plain decimal in an amount, number or ratio column whose
range holds it — is passed to the engine's CAST as written (`fast_pattern`): the CAST gives the value the
parser's canonical text gives.
"""

from __future__ import annotations

import re
from decimal import Decimal
from functools import cache

import pandas as pd

from xmdw.contract import Column, Contract, Entity
from xmdw.ingestion.layout import Layout, _union_lookup, match_header, normalise_cached
from xmdw.ingestion.rows import EXAMPLE_MARKS, NOTE_RE, SECTION_RE, TOTAL_RE, UNIT_CELL_RE, parse_cell
from xmdw.ingestion.values import ValueProblem

PLAIN_NUMBER = re.compile(r"[0-9.\-]+")
# up to 10 integer digits and the 4 decimals DECIMAL(18,4) keeps: 0 <= value < 1E10, nothing to round
AMOUNT_RE = r"[0-9]{1,10}(\.[0-9]{1,4})?"
FRACTION_RE = r"0(\.[0-9]{1,6})?|1(\.0{1,6})?"  # 0 to 1 with the 6 decimals of DECIMAL(12,6)


@cache
def _numbers_are_never_headers(entities: tuple[Entity, ...]) -> bool:
    return not any(PLAIN_NUMBER.fullmatch(k) or not k for k in _union_lookup(entities))


def header_lookup(contract: Contract) -> tuple[dict, bool]:
    """Every ledger's header spellings, and whether no spelling is a plain number."""
    entities = tuple(contract.entities.values())
    return _union_lookup(entities), _numbers_are_never_headers(entities)


def suspicious(text: str, layout: Layout, union: dict, numbers_safe: bool) -> bool:
    """Could this cell make its row something other than data (rows.classify) or a header candidate
    (layout.detect_layout)? Over-inclusive on purpose: a suspicious row sends its file to the cell path.
    Every pattern needs a letter, a CJK character or a header spelling: a plain number is none of them."""
    t = text.strip()
    if numbers_safe and PLAIN_NUMBER.fullmatch(t) and t not in layout.mapped_headers:
        return False
    first = re.sub(r"\s+", "", t)
    return bool(
        first in EXAMPLE_MARKS
        or NOTE_RE.match(first)
        or TOTAL_RE.match(first)
        or SECTION_RE.match(first)
        or UNIT_CELL_RE.match(first)
        or normalise_cached(t) in layout.mapped_headers
        or match_header(text, union)[0] is not None
        or match_header(t, union)[0] is not None
    )


def _holds(col: Column, low: Decimal, high: Decimal) -> bool:
    return col.range is None or (col.range[0] <= low and col.range[1] >= high)


def fast_pattern(col: Column, factor: Decimal, percent_header: bool, numbers_safe: bool) -> str | None:
    """A regular expression of texts the engine may CAST as written, or None (every text to the parser).
    Amounts: no unit conversion (factor 1) and a range holding [0, 1E10); ratios: a fraction read as a
    fraction (not a percent-points column under a % header) and a range holding [0, 1]."""
    if not numbers_safe:
        return None
    if col.type in ("money", "usd") and factor == 1 and _holds(col, Decimal(0), Decimal("1E10")):
        return AMOUNT_RE
    if col.type == "number" and _holds(col, Decimal(0), Decimal("1E10")):
        return AMOUNT_RE
    percent_points = percent_header and col.ratio_scale == "percent_points"
    if col.type == "ratio" and not percent_points and _holds(col, Decimal(0), Decimal(1)):
        return FRACTION_RE
    return None


def value_frame(
    texts: list[str],
    plan_entry: tuple,
    layout: Layout,
    contract: Contract,
    union: dict,
    numbers_safe: bool,
) -> pd.DataFrame:
    """raw, canon (the parser's text or NULL), bad (a value problem), susp, ne (not empty) per text."""
    col, _index, _header, factor, pct = plan_entry
    canon, bad, susp, nonempty = [], [], [], []
    for v in texts:
        w = None if v.strip() == "" else v  # csv_reader: a blank cell is empty
        value, failed = None, False
        try:
            value = parse_cell(col, w, contract, factor, pct)
        except ValueProblem:
            failed = True
        canon.append(value)
        bad.append(failed)
        susp.append(w is not None and suspicious(w, layout, union, numbers_safe))
        nonempty.append(w is not None)
    return pd.DataFrame(
        {
            "raw": pd.Series(texts, dtype="str"),
            "canon": pd.Series(canon, dtype="str"),
            "bad": pd.Series(bad, dtype=bool),
            "susp": pd.Series(susp, dtype=bool),
            "ne": pd.Series(nonempty, dtype=bool),
        }
    )
