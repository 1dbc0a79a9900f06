"""The rule catalog is one file per rule, and docs/data_quality.md is generated from the files: every rule
file has its fields, every SQL file its rule, every rule protects a published figure or says why not, and
the committed doc is current."""

from __future__ import annotations

import pytest
import yaml

from xmdw.quality import catalog
from xmdw.quality.catalog import REQUIRED, RULES_DIR, SQL_DIR, load_rules
from xmdw.quality.docs import DOC_FILE, data_quality_md
from xmdw.quality.metrics import expand, metrics


def test_data_quality_doc_is_generated_from_the_catalog():
    assert DOC_FILE.read_text(encoding="utf-8") == data_quality_md(), (
        "run `.venv/bin/python -m xmdw.quality.docs` to regenerate docs/data_quality.md"
    )


def test_every_rule_is_documented():
    text = data_quality_md()
    for r in load_rules():
        assert f"| **{r.id}** |" in text and r.message_zh in text


def test_every_rule_file_has_the_required_fields():
    files = sorted(RULES_DIR.glob("*.yml"))
    assert len(files) == len(load_rules()) >= 100
    for path in files:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert raw["id"] == path.stem
        assert set(REQUIRED) <= set(raw), (path.name, set(REQUIRED) - set(raw))
        assert raw["on_fail"] in catalog.ON_FAIL
        if raw["check"]["type"] == "sql":
            assert (SQL_DIR / f"{path.stem}.sql").is_file(), path.name
    assert {p.stem for p in SQL_DIR.glob("*.sql")} == {r.id for r in load_rules() if r.is_sql}


def test_every_rule_protects_a_figure_or_says_why_not():
    keys = {m.key for m in metrics()}
    for r in load_rules():
        if r.protects:
            assert set(expand(r.protects)) <= keys and expand(r.protects), r.id
        else:
            assert "Protects no published figure" in (r.note or ""), r.id


def test_the_doc_lists_the_rules_guarding_a_figure():
    """The 落地率 question: which rules guard the inputs of 招商引资落地率 (targets ZB2024-027/028)."""
    line = next(x for x in data_quality_md().splitlines() if x.startswith("| `rate:招商引资落地率` |"))
    assert "ZB2024-027, ZB2024-028" in line
    guards = line.split("|")[-2]
    for rule_id in ("B16", "C18", "X6", "B-IC-STATUS"):  # land approval date, status, land procedure
        assert f" {rule_id}," in f" {guards.strip()},", (rule_id, guards)
    assert "C14" not in guards  # a funds rule guards the funds figures, not this one


def _write_rule(tmp_path, monkeypatch, **changes) -> None:
    source = yaml.safe_load((RULES_DIR / "C3.yml").read_text(encoding="utf-8"))
    rules = tmp_path / "rules"
    sql = tmp_path / "sql"
    rules.mkdir()
    sql.mkdir()
    (rules / "C3.yml").write_text(yaml.safe_dump({**source, **changes}, allow_unicode=True), encoding="utf-8")
    (sql / "C3.sql").write_text((SQL_DIR / "C3.sql").read_text(encoding="utf-8"), encoding="utf-8")
    monkeypatch.setattr(catalog, "SQL_DIR", sql)


@pytest.mark.parametrize(
    "changes, problem",
    [
        ({"on_fail": "hold_rows"}, "on_fail"),  # a warning only reports
        ({"protects": ["rate:不存在的率"]}, "protects unknown metric"),
        ({"protects": [], "note": None}, "needs the reason"),
        ({"incremental": None}, "incremental"),
        ({"table": "marts.mart_five_rates"}, "unknown table"),
        ({"severity": "fatal", "on_fail": "hold_file"}, "on_fail"),  # a row rule cannot hold a file
    ],
)
def test_the_loader_refuses_a_broken_rule_file(tmp_path, monkeypatch, changes, problem):
    _write_rule(tmp_path, monkeypatch, **changes)
    with pytest.raises(ValueError, match=problem):
        catalog._read_rule(tmp_path / "rules" / "C3.yml")


def test_the_loader_refuses_a_missing_field(tmp_path, monkeypatch):
    _write_rule(tmp_path, monkeypatch)
    path = tmp_path / "rules" / "C3.yml"
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    del raw["protects"]
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ValueError, match="missing"):
        catalog._read_rule(path)
