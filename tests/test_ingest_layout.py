"""Header detection's shortcuts (memoised lookups, rows no entity can match skipped) choose exactly what
the exhaustive search chooses (docs/benchmarks.md, issue 6)."""

from __future__ import annotations

import pytest

from xmdw.contract import load_contract
from xmdw.ingestion import layout as L
from xmdw.ingestion.workbook import Sheet


def exhaustive_detect(sheet: Sheet, contract) -> L.Layout | None:
    """detect_layout as it was before the shortcuts: every entity at every candidate row and depth."""
    best = None
    for top in range(min(L.HEADER_SCAN_ROWS, len(sheet.rows))):
        row = sheet.rows[top]
        if sum(1 for v in row if isinstance(v, str) and v.strip()) < L.MIN_MATCHED_COLUMNS:
            continue
        for entity in contract.entities.values():
            for depth in (1, 2):
                if top + depth > len(sheet.rows):
                    continue
                layout = L._map(entity, sheet, top, depth)
                if len(layout.columns) < L.MIN_MATCHED_COLUMNS:
                    continue
                if depth == 2 and (
                    layout.uses_top == 0 or len(layout.columns) <= len(L._map(entity, sheet, top, 1).columns)
                ):
                    continue
                if best is None or L._score(layout) > L._score(best):
                    best = layout
    return best


def _signature(layout: L.Layout | None):
    if layout is None:
        return None
    return (
        layout.entity.name,
        layout.header_rows,
        [(m.index, m.column.name, m.header, m.unit) for m in layout.columns],
        layout.extra_columns,
        layout.ignored_columns,
    )


def _sheets(contract) -> list[Sheet]:
    """Per entity: the template header as written, with aliases, title/unit rows above and data below,
    a two-level header with the unit in the merged parent, and a sheet of data only."""
    sheets = []
    for entity in contract.entities.values():
        zh = [c.zh for c in entity.columns]
        aliases = [c.aliases[0] if c.aliases else c.zh for c in entity.columns]
        data = [[f"值{i}{j}" if j % 2 else str(100 + i * j) for j in range(len(zh))] for i in range(5)]
        sheets.append(Sheet(f"{entity.name}-plain", [zh, *data]))
        sheets.append(
            Sheet(
                f"{entity.name}-titled",
                [["某县重点项目台账"], ["单位：万元", "填报单位：发改局"], ["序号", *aliases, "备注"], *data],
            )
        )
        top = ["序号", "投资完成情况（万元）", "投资完成情况（万元）", *zh[2:]]
        sub = ["", zh[0], zh[1], *[""] * (len(zh) - 2)]
        sheets.append(Sheet(f"{entity.name}-two-level", [top, sub, *data], merged=[(0, 1, 0, 2)]))
        sheets.append(Sheet(f"{entity.name}-data-only", data))
    return sheets


@pytest.mark.parametrize("index", range(4))
def test_shortcuts_choose_what_the_exhaustive_search_chooses(index):
    contract = load_contract()
    sheets = _sheets(contract)[index::4]
    for sheet in sheets:
        chosen = L.detect_layout(sheet, contract)
        assert _signature(chosen) == _signature(exhaustive_detect(sheet, contract)), sheet.name
        # not vacuous: every header shape is recognised as its own ledger, a sheet of data only as none
        expected = None if sheet.name.endswith("-data-only") else sheet.name.split("-", 1)[0]
        assert (chosen.entity.name if chosen else None) == expected, sheet.name


def test_data_rows_are_ruled_out_and_header_rows_kept():
    contract = load_contract()
    union = L._union_lookup(tuple(contract.entities.values()))
    entity = contract.entities["monthly_progress"]
    header = Sheet("h", [[c.zh for c in entity.columns]])
    data = Sheet("d", [["610121-001", "某项目", "2024", "3", "12.5", "100"]])
    assert L._may_be_header(L._texts_at(header, 0, 1), union)
    assert not L._may_be_header(L._texts_at(data, 0, 1), union)
