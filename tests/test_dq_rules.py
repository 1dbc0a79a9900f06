"""One test per catalog rule: a small consistent world that passes every rule, and a change to it that
breaks the rule — the failure must name the offending row (or finding). Real DuckDB (in memory), real
Great Expectations; no pipeline run.
"""

from __future__ import annotations

import copy
from datetime import date

import pytest
from dq_rule_world import (
    P1,
    P2,
    P3,
    ROW99,
    RULES,
    P1m,
    _c9,
    _c10,
    _f8,
    _f9,
    _f11,
    _log_f5,
    _log_f6,
    _log_f7,
    _s1,
    _s2,
    _s3,
    _s6,
    _s7,
    _shared_connection,
    _t4,
    _t6,
    _t7,
    _t8,
    _t10,
    _t12,
    _x5,
    _x6,
    _x7,
    _x14,
    add,
    base_world,
    load,
    mark,
    one,
    prog,
    project,
)

from xmdw.quality.gx_runner import prepare, validate_table
from xmdw.quality.outcomes import TableValidation

CASES: dict[str, tuple] = {  # rule id -> (change, expectation[, table])
    # file
    "F3": (lambda w: add(w, "monthly_progress", **prog(P1, 1, 30)), ROW99),
    "F3-FAI": (lambda w: mark(w["fai_aggregates"][0], month=1), ROW99),
    "F5": (lambda w: w.__setitem__("_log", _log_f5), ("key", "610728 2024年6月")),
    "F6": (lambda w: w.__setitem__("_log", _log_f6), ("key", None)),
    "F7": (lambda w: w.__setitem__("_log", _log_f7), ("key", None)),
    "F8": (_f8, ("key", "511902 2024年4月")),
    "F9": (_f9, ROW99),
    "F10": (lambda w: add(w, "monthly_progress", **prog(P1, 6, 300, year=2025)), ROW99),
    "F11": (_f11, ROW99, "monthly_progress"),
    "A3": (lambda w: mark(one(w, "monthly_progress", basis="STATS"), _unit="县交通局"), ROW99),
    "A3-FAI": (lambda w: mark(w["fai_aggregates"][0], _unit="县发改局"), ROW99),
    # field
    "B-PROG-ID": (lambda w: mark(P1m(w, 3), project_id=None), ROW99),
    "B-PROG-BASIS": (lambda w: mark(P1m(w, 3), basis="其他"), ROW99),
    "B9": (lambda w: mark(P1m(w, 3), build_status="9"), ROW99),
    "B10-PROG-YTD": (lambda w: mark(P1m(w, 3), ytd_completed=-5), ROW99),
    "B10-PROG-SS": (lambda w: mark(P1m(w, 3), since_start_completed=-1), ROW99),
    "B10-PROG-FIP": (lambda w: mark(P1m(w, 3), ytd_funds_in_place=-1), ROW99),
    "B-PROG-PHYS": (lambda w: mark(P1m(w, 3), physical_progress=1.5), ROW99),
    "B1": (lambda w: mark(one(w, "projects", project_id=P1), national_code="镇发改2023-1号"), ROW99),
    "B2": (
        lambda w: mark(one(w, "projects", project_id=P1), national_code="2305-510728-04-01-123456"),
        ROW99,
    ),
    "B4": (
        lambda w: mark(one(w, "projects", project_id=P1), national_code="2313-610728-04-01-123456"),
        ROW99,
    ),
    "B6": (lambda w: mark(one(w, "projects", project_id=P1), industry_code="9999"), ROW99),
    "B7": (lambda w: mark(one(w, "projects", project_id=P1), construction_nature="新造"), ROW99),
    "B8": (lambda w: mark(one(w, "projects", project_id=P1), holding_type="8"), ROW99),
    "B-PROJ-INVTYPE": (lambda w: mark(one(w, "projects", project_id=P1), investment_type="捐赠"), ROW99),
    "B-PROJ-KEYLEVEL": (lambda w: mark(one(w, "projects", project_id=P1), key_level="乡级"), ROW99),
    "B-PROJ-STAGE": (lambda w: mark(one(w, "projects", project_id=P1), stage="规划"), ROW99),
    "B10-PROJ-TOTAL": (lambda w: mark(one(w, "projects", project_id=P1), total_investment=0), ROW99),
    "B11": (lambda w: mark(one(w, "projects", project_id=P1), actual_start_date=date(2030, 1, 1)), ROW99),
    "B12": (lambda w: mark(one(w, "projects", project_id=P2), project_name="待定"), ROW99),
    "B17": (lambda w: mark(one(w, "projects", project_id=P2), region_code="610700"), ROW99),
    "B17-REF": (lambda w: mark(one(w, "projects", project_id=P2), region_code="610799"), ROW99),
    "B18": (lambda w: mark(one(w, "annual_plans", project_id=P2), plan_category="改造"), ROW99),
    "B-PLAN-VERSION": (lambda w: mark(one(w, "annual_plans", project_id=P2), plan_version="年末"), ROW99),
    "B10-PLAN": (lambda w: mark(one(w, "annual_plans", project_id=P2), annual_planned_investment=-1), ROW99),
    "B14": (lambda w: mark(w["procedures"][0], procedure_type="许可"), ROW99),
    "B14-STATUS": (lambda w: mark(w["procedures"][0], status="已批"), ROW99),
    "B15": (lambda w: mark(w["procedures"][0], approved_date=None), ROW99),
    "B15-DOC": (lambda w: mark(w["procedures"][0], doc_no=None), ROW99),
    "B16": (lambda w: mark(w["investment_contracts"][1], status="开工"), ROW99),
    "B-IC-STATUS": (lambda w: mark(w["investment_contracts"][1], status="洽谈"), ROW99),
    "B-IC-ORIGIN": (lambda w: mark(w["investment_contracts"][1], investor_origin="本县"), ROW99),
    "B10-IC": (lambda w: mark(w["investment_contracts"][1], contract_amount=0), ROW99),
    "B13": (lambda w: mark(w["funds"][0], fund_type="奖补"), ROW99),
    "B13-CAT": (lambda w: mark(w["funds"][0], fund_category="其他"), ROW99),
    "B10-FUND": (lambda w: mark(w["funds"][0], paid_amount=-1), ROW99),
    "A2": (lambda w: mark(w["fai_aggregates"][1], yoy_growth=None), ROW99),
    "B-FAI-SHARE": (lambda w: mark(w["fai_aggregates"][1], share=1.2), ROW99),
    "B10-FAI": (lambda w: mark(w["fai_aggregates"][1], value=-5), ROW99),
    "B-IND-UNIT": (lambda w: mark(w["indicator_reports"][0], unit=None), ROW99),
    # record
    "C1": (
        lambda w: mark(
            one(w, "projects", project_id=P2),
            in_stats_library=True,
            total_investment=300,
            stats_entry_date=date(2024, 1, 1),
        ),
        ROW99,
    ),  # fmt: skip
    "C2": (lambda w: mark(one(w, "projects", project_id=P2), key_level="县级", total_investment=300), ROW99),
    "C3": (lambda w: mark(P1m(w, 3), since_start_completed=100), ROW99),
    "C4": (lambda w: mark(P1m(w, 5), since_start_completed=2300), ROW99),
    "C7": (lambda w: mark(one(w, "projects", project_id=P3), actual_start_date=date(2024, 5, 1)), ROW99),
    "C7-OP": (
        lambda w: mark(one(w, "projects", project_id=P3), actual_operation_date=date(2024, 3, 1)),
        ROW99,
    ),
    "C7-PLAN": (
        lambda w: mark(one(w, "projects", project_id=P1), planned_start_date=date(2026, 1, 1)),
        ROW99,
    ),
    "C8": (lambda w: mark(one(w, "projects", project_id=P1), actual_start_date=None), ROW99),
    "C8-DONE": (
        lambda w: mark(
            one(w, "projects", project_id=P3), actual_completion_date=None, actual_operation_date=None
        ),
        ROW99,
    ),  # fmt: skip
    "C8-EARLY": (
        lambda w: mark(one(w, "projects", project_id=P2), actual_start_date=date(2024, 5, 1)),
        ROW99,
    ),
    "C8-LIB": (lambda w: mark(one(w, "projects", project_id=P1), stats_entry_date=None), ROW99),
    "C9": (_c9, ROW99),
    "C10": (_c10, ROW99),
    "C11": (lambda w: mark(one(w, "projects", project_id=P3), holding_type="3"), ROW99),
    "C12": (lambda w: mark(one(w, "projects", project_id=P1), holding_type="3"), ROW99),
    "C14": (lambda w: mark(w["funds"][0], received_amount=500, paid_amount=100), ROW99),
    "C14-PAID": (lambda w: mark(w["funds"][0], paid_amount=450), ROW99),
    "C15": (lambda w: mark(w["funds"][0], issued_amount=600), ROW99),
    "C18": (lambda w: mark(w["investment_contracts"][0], land_approved_date=date(2024, 1, 1)), ROW99),
    "C19": (lambda w: mark(w["investment_contracts"][0], funds_in_place=6000), ROW99),
    "C20": (lambda w: mark(w["procedures"][1], approved_date=date(2023, 2, 1)), ROW99),
    "C21": (lambda w: mark(w["funds"][0], received_date=date(2024, 2, 1)), ROW99),
    "C22": (lambda w: mark(P1m(w, 3), month_completed=200), ROW99),
    "C23": (lambda w: mark(one(w, "monthly_progress", project_id=P3, month=5), physical_progress=0.9), ROW99),
    "C24": (lambda w: mark(P1m(w, 4), build_status="3"), ROW99),
    # period
    "T1": (lambda w: mark(P1m(w, 5), ytd_completed=180), ROW99),
    "T2": (lambda w: mark(P1m(w, 5), since_start_completed=600), ROW99),
    "T3": (lambda w: mark(P1m(w, 4), since_start_completed=700), ROW99),
    "T4": (_t4, ROW99),
    "T5": (lambda w: mark(P1m(w, 5), ytd_completed=590, since_start_completed=1090), ROW99),
    "T6": (_t6, ("key", f"{P1} / 2024 / 12")),
    "T7": (_t7, ROW99),
    "T8": (_t8, ROW99),
    "T10": (_t10, ("key", f"{P1} 镇巴县甲路改建工程 2024年4月")),
    "T12": (_t12, ROW99),
    "T13": (lambda w: mark(P1m(w, 3), month_completed=10), ROW99),
    # cross
    "X1": (lambda w: add(w, "monthly_progress", **prog("NOPE-001", 3, 10)), ROW99),
    "X1-FUND": (lambda w: mark(w["funds"][0], project_id="610728-2099-999"), ROW99),
    "X1-IC": (lambda w: mark(w["investment_contracts"][1], project_id="NOPE"), ROW99),
    "X2": (lambda w: add(w, "monthly_progress", **prog(P2, 3, 5, unit="县统计局", basis="STATS")), ROW99),
    "X5": (_x5, ROW99),
    "X6": (_x6, ROW99),
    "X7": (_x7, ROW99),
    "X10": (
        lambda w: mark(one(w, "projects", project_id=P3), national_code="2305-610728-04-01-123456"),
        ROW99,
    ),
    "X10-NAME": (lambda w: add(w, "projects", **project("P5", project_name="镇巴县甲路改建工程")), ROW99),
    "X12": (lambda w: w["fai_aggregates"][0].update(value=100), ("key", "610728 2024年3月")),
    "X13": (
        lambda w: one(w, "monthly_progress", basis="STATS").update(ytd_completed=50) or mark(P1m(w, 3)),
        ROW99,
    ),
    "X14": (_x14, ROW99),
    "X15": (lambda w: mark(w["indicator_reports"][0], indicator_code="UNKNOWN_X"), ROW99),
    # stats
    "S1": (_s1, ("key", "县测试局 2024年")),
    "S2": (_s2, ("key", "县整数局 2024年")),
    "S3": (_s3, ("key", "610728 2024年6月")),
    "S5": (lambda w: [P1m(w, m).update(ytd_funds_in_place=0) for m in (2, 3, 4)] and mark(P1m(w, 4)), ROW99),
    "S6": (_s6, ("key", "610728 2024年第1季度")),
    "S7": (_s7, ("key", "县经合中心")),
}


def _world() -> dict:
    return copy.deepcopy(base_world())


def _validate(w: dict, rule_ids: list[str] | None, tables: list[str]) -> dict:
    hook = w.pop("_log", None)
    con = _shared_connection()
    try:
        load(w, hook)
        prepare(con)
        outcomes = {}
        for t in tables:
            rules = [RULES[i] for i in rule_ids if t in RULES[i].tables] if rule_ids else None
            for o in validate_table(con, t, rules=rules, prepared=True).outcomes:
                outcomes.setdefault(o.rule.id, []).append((t, o))
        return outcomes
    finally:
        con.execute("ROLLBACK")


@pytest.fixture(scope="module")
def clean_outcomes() -> dict:
    tables = sorted({t for r in RULES.values() for t in r.tables})
    return _validate(_world(), None, tables)


def test_every_rule_has_a_breaking_case():
    assert sorted(CASES) == sorted(RULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_passes_on_the_clean_world(rule_id, clean_outcomes):
    results = clean_outcomes[rule_id]
    assert {t for t, _ in results} == set(RULES[rule_id].tables)
    bad = [(t, [vars(f) for f in o.findings][:3]) for t, o in results if not o.success]
    assert bad == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_breaks_and_names_the_row(rule_id):
    rule = RULES[rule_id]
    change, (kind, expected), *table = CASES[rule_id]
    w = _world()
    change(w)
    table = table[0] if table else rule.tables[0]
    outcome = _validate(w, [rule_id], [table])[rule_id][0][1]
    assert not outcome.success, f"{rule_id} did not fail"
    assert outcome.findings and outcome.unexpected_count == len(outcome.findings)
    if kind == "row":
        assert expected in [f.source_row for f in outcome.findings], [vars(f) for f in outcome.findings]
        f = next(f for f in outcome.findings if f.source_row == expected)
        assert f.file_id and f.sheet and f.submitting_unit
    elif expected is not None:
        texts = [" ".join(str(v) for v in vars(f).values() if v is not None) for f in outcome.findings]
        assert any(expected in t for t in texts), texts
    held = TableValidation(table, 0, [outcome]).excluded_rows()
    if rule.on_fail == "report":
        assert held == [] and not rule.is_fatal
    elif rule.on_fail == "hold_rows":
        assert {r[:3] for r in held} == {(f.file_id, f.sheet, f.source_row) for f in outcome.findings}
    else:  # hold_file: a fatal table finding holds back its file's rows (F5's empty file has none)
        assert rule.on_fail == "hold_file"
        assert outcome.held_files == sorted({f.file_id for f in outcome.findings})
        assert bool(held) == (rule_id in ("F6", "F7")), held
    # issue 10: no rule on the units' ledgers blocks the whole build (a region never waits for another)
    assert not outcome.blocking


def test_benford_reports_small_samples_as_info_not_as_a_warning(clean_outcomes):
    (_, s1), *_ = clean_outcomes["S1"]
    assert s1.success and s1.notes
    assert all("样本不足" in n.note for n in s1.notes)
