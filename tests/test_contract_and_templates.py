"""The contract is the one definition: templates, generated dbt files and docs must match it."""

from __future__ import annotations

import zipfile

from python_calamine import CalamineWorkbook

from xmdw.contract import load_contract, normalise_header
from xmdw.contract.render import rendered_files
from xmdw.ingestion.templates import HEADER_ROW, UNITS_ROW, drop_down, header_text, write_templates

C = load_contract()


def test_generated_files_are_in_sync_with_the_contract():
    stale = [
        str(p) for p, text in rendered_files(C).items() if not p.exists() or p.read_text("utf-8") != text
    ]
    assert stale == [], f"run `make contract` (xmdw contract-render): stale {stale}"


def test_no_header_spelling_is_shared_by_two_columns_of_an_entity():
    for e in C.entities.values():
        seen: dict[str, str] = {}
        for col in e.columns:
            for h in col.headers:
                assert seen.setdefault(h, col.name) == col.name, (
                    f"{e.name}: '{h}' maps to {seen[h]} and {col.name}"
                )


def test_templates_match_the_contract(tmp_path):
    paths = write_templates(tmp_path, C)
    assert sorted(p.name for p in paths) == sorted(e.template_file for e in C.entities.values())
    for e in C.entities.values():
        path = tmp_path / e.template_file
        wb = CalamineWorkbook.from_path(str(path))
        rows = wb.get_sheet_by_name(e.zh[:31]).to_python(skip_empty_area=False)
        headers = rows[HEADER_ROW][1:]
        assert headers == [header_text(c) for c in e.columns]
        assert [normalise_header(h) for h in headers] == [normalise_header(c.zh) for c in e.columns]
        units = rows[UNITS_ROW][1:]
        assert units == [c.unit_zh or "" for c in e.columns]
        # one drop-down list per listed column (codes, 是/否, region and indicator codes), fed from the
        # hidden code sheet, in column order
        sheet_xml = zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml").decode()
        listed = [(c, drop_down(c, e, C)) for c in e.columns if drop_down(c, e, C)]
        assert sheet_xml.count('<dataValidation type="list"') == len(listed)
        assert all(c.type != "code" or dd for c, dd in [(c, drop_down(c, e, C)) for c in e.columns])
        codes = wb.get_sheet_by_name("代码表").to_python()
        assert codes[0][: len(listed)] == [c.zh for c, _ in listed]
        first_values = [r[0] for r in codes[1:] if r and r[0]]
        assert first_values == listed[0][1][0]


def test_code_list_labels_normalise_back_to_codes():
    for cl in C.code_lists.values():
        for label, value in zip(cl.labels, cl.values, strict=True):
            assert cl.normalise(label) == value.code
