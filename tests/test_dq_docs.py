"""docs/data_quality.md is generated from the catalog: the committed file must be current."""

from __future__ import annotations

from xmdw.quality.catalog import load_rules
from xmdw.quality.docs import DOC_FILE, data_quality_md


def test_data_quality_doc_is_generated_from_the_catalog():
    assert DOC_FILE.read_text(encoding="utf-8") == data_quality_md(), (
        "run `.venv/bin/python -m xmdw.quality.docs` to regenerate docs/data_quality.md"
    )


def test_every_rule_is_documented():
    text = data_quality_md()
    for r in load_rules():
        assert f"| **{r.id}** |" in text and r.message_zh in text
