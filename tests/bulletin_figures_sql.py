"""The figures of the 文字通报 paragraphs recomputed from the headline marts with the tests' own SQL (never
from mart_bulletin_figures, which the reports read): tests/test_bulletin.py compares every printed number
with these."""

from __future__ import annotations

from pathlib import Path

from report_reading import mart

ZB, BZ = "610728", "511902"


def _snail_names(warehouse: Path, code: str, month: int, list_type: str) -> set[str]:
    sql = ("SELECT project_name FROM marts.mart_snail_projects WHERE region_code = ? AND year = 2024 AND month = ? "
           "AND list_type = ?")  # fmt: skip
    return {name for (name,) in mart(warehouse, sql, [code, month, list_type])}


def expected_figures(warehouse: Path, code: str, month: int) -> dict[str, object]:
    """The 文字通报 figures recomputed by this test from the headline marts (not from mart_bulletin_figures)."""
    q = lambda sql, *p: mart(warehouse, sql, [*p])  # noqa: E731
    out: dict[str, object] = {
        "period_label": f"1—{month}月",
        "region_scope_zh": "全县" if code == ZB else "全区",
    }
    (n, num, den, rate), = q(
        "SELECT cohort_size, numerator, denominator, rate FROM marts.mart_five_rates WHERE region_code = ? "
        "AND year = 2024 AND month = ? AND scope = 'region' AND rate_name = '计划投资完成率' AND cohort = 'all_key' "
        "AND is_primary", code, month,
    )  # fmt: skip
    out |= {"key_projects": n, "key_ytd_completed_wan": num, "key_annual_plan_wan": den}
    out |= {"key_completion_ratio": rate, "key_pace_gap": float(rate) - month / 12}
    (planned, ratio, gap, rank, ranked), = q(
        "SELECT projects_planned, completion_ratio, pace_gap, rank_completion, groups_ranked FROM "
        "marts.mart_investment_ranking WHERE region_code = ? AND year = 2024 AND month = ? AND dimension = 'region'",
        code, month,
    )  # fmt: skip
    out |= {"all_projects": planned, "all_completion_ratio": ratio, "all_pace_gap": gap}
    out |= {"region_rank": rank, "regions_ranked": ranked}
    units = q(
        "SELECT group_name, rank_completion, completion_ratio, pace_gap FROM marts.mart_investment_ranking "
        "WHERE region_code = ? AND year = 2024 AND month = ? AND dimension = 'lead_unit' ORDER BY 2, 1",
        code, month,
    )  # fmt: skip
    worst = max(r for _, r, _, _ in units)
    out |= {
        "best_lead_unit": "、".join(u for u, r, _, _ in units if r == 1),
        "best_lead_unit_ratio": next(c for _, r, c, _ in units if r == 1),
        "worst_lead_unit": "、".join(u for u, r, _, _ in units if r == worst),
        "worst_lead_unit_ratio": next(c for _, r, c, _ in units if r == worst),
        "lead_units_ranked": len(units),
        "lead_units_behind_pace": sum(1 for *_, g in units if g < 0),
    }
    for list_type, step in (("month", 1), ("quarter", 3)):
        now, before = (_snail_names(warehouse, code, m, list_type) for m in (month, month - step))
        out |= {f"snails_{list_type}": len(now), f"snails_{list_type}_new": len(now - before)}
    ((overdue, near),) = q(
        "SELECT count(*) FILTER (WHERE status = '逾期'), count(*) FILTER (WHERE status = '临近') "
        "FROM marts.mart_fund_deadlines WHERE region_code = ? AND year = 2024 AND month = ?", code, month,
    )  # fmt: skip
    out |= {"deadlines_overdue": overdue, "deadlines_near": near}
    # target statuses: due (month end ≥ due date) → 完成 (met) / 未完成; else the pace status
    targets = q(
        "SELECT target_id, lead_unit, status, as_of_date >= due_date, forecast_meets_target "
        "FROM marts.mart_target_progress WHERE region_code = ? AND plan_year = 2024 AND month = ?", code, month,
    )  # fmt: skip
    shown = [
        ("未完成" if due and s not in ("达标", "无数据") else "完成" if due and s == "达标" else s) for _, _, s, due, _ in targets
    ]  # fmt: skip
    names = {"完成": "completed", "未完成": "not_completed", "达标": "met", "正常": "on_track", "滞后": "behind",
             "严重滞后": "severely_behind", "无数据": "without_data"}  # fmt: skip
    out |= {f"targets_{k}": shown.count(s) for s, k in names.items()} | {"targets_total": len(targets)}
    out["targets_forecast_missed"] = sum(
        1 for _, _, s, due, ok in targets if not due and s in ("滞后", "严重滞后") and ok is False
    )
    if month % 3 == 0:  # the quarter's lead units: share = (完成 + 达标 + 正常) / (owned − 无数据)
        share: dict[str, float] = {}
        for unit in {u for _, u, *_ in targets}:
            mine = [st for (_, u, *_), st in zip(targets, shown, strict=True) if u == unit]
            measured = len(mine) - mine.count("无数据")
            if measured:
                share[unit] = sum(mine.count(s) for s in ("完成", "达标", "正常")) / measured
        top, low = max(share.values()), min(share.values())
        out |= {
            "scored_units": len({u for _, u, *_ in targets}),
            "best_units_share": top,
            "worst_units_share": low,
        }
        out["best_units"] = "、".join(sorted(u for u, s in share.items() if s == top))
        out["worst_units"] = "、".join(sorted(u for u, s in share.items() if s == low))
    return out
