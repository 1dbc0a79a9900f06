"""The 五率 names, headline flags and metric keys live in one seed, seeds/dim_rate.csv (issue 13): the bulletins
read the headline figures from it, mart_five_rates and the target binding read it through ref('dim_rate')."""

from __future__ import annotations

import csv
from pathlib import Path

from xmdw.core.paths import DBT_PROJECT_DIR, SEEDS_DIR
from xmdw.reports import mart_reader as mr

SEED = SEEDS_DIR / "dim_rate.csv"


def _rows(path: Path = SEED) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_bulletin_headline_rates_are_the_seed_rows_in_their_order():
    assert mr.HEADLINE_RATES == [
        ("计划投资完成率", "all_key", "initial_plan"),
        ("招商引资落地率", "signed_prior_year", "count"),
        ("前期手续办结率", "county_new_start_key", "procedure"),
        ("储备项目开工率", "county_new_start_key", "project"),
        ("竣工投产达效率", "all_due_completion", "project"),
    ]
    # every headline is the primary variant of its cohort and carries the metric key its target binds
    headline = {(r["rate_name"], r["cohort"], r["variant"]): r for r in _rows() if r["headline_order"]}
    assert all(r["is_primary"] == "true" and r["metric_key"].startswith("rate:") for r in headline.values())


def test_headline_rates_follow_an_edited_seed(tmp_path):
    rows = _rows()
    for r in rows:  # make the city cohort the headline of 前期手续办结率 and show it first
        if r["rate_name"] == "前期手续办结率":
            r["headline_order"] = (
                "0" if r["cohort"] == "city_new_start_key" and r["variant"] == "procedure" else ""
            )
    edited = tmp_path / "dim_rate.csv"
    with edited.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    assert mr.headline_rates(edited)[:2] == [
        ("前期手续办结率", "city_new_start_key", "procedure"),
        ("计划投资完成率", "all_key", "initial_plan"),
    ]


def test_rate_sql_reads_names_and_keys_from_the_seed_not_case_blocks():
    five_rates = (DBT_PROJECT_DIR / "models/marts/rates/mart_five_rates.sql").read_text(encoding="utf-8")
    assert "ref('dim_rate')" in five_rates
    for literal in ("'investment deal landing rate'", "'rate:招商引资落地率'", "'monthly_progress:DISPATCH'"):
        assert literal not in five_rates
    metric_keys = {r["metric_key"] for r in _rows() if r["metric_key"]}
    assert len(metric_keys) == 8 and "rate:计划投资完成率" in metric_keys
