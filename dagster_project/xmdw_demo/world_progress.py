"""Progress of a started project over the plan year: a seasonal S-curve of its year's investment, the funds
that arrive alongside, and the statistics bureau's factor. Deterministic for a given random.Random."""

from __future__ import annotations

import math
import random

from xmdw_demo.world_model import MONTHS, Project


def progress_curve(rng: random.Random, start: int, end: int) -> dict[int, float]:
    """Cumulative share of the year's investment at the end of each month 1..12 (S-curve, 1.0 at `end`)."""
    n = max(1, end - start + 1)
    weights = {}
    for k, m in enumerate(range(start, end + 1)):
        w = 0.55 + math.sin(math.pi * (k + 0.5) / n)
        if m in (1, 2):
            w *= 0.55  # Spring Festival
        if m in (7, 8):
            w *= 0.85  # flood season
        weights[m] = w * rng.uniform(0.75, 1.25)
    total = sum(weights.values())
    cum, out = 0.0, {}
    for m in range(1, 13):
        cum += weights.get(m, 0.0)
        out[m] = min(1.0, cum / total) if m >= start else 0.0
    return out


def simulate_progress(p: Project, rng: random.Random, year: int) -> None:
    first = p.first_month(year)
    if first is None:
        return
    start = 1 if p.actual_start and p.actual_start.year < year else p.actual_start.month  # type: ignore[union-attr]
    end = 12
    if p.complete_month:
        end = p.complete_month
    if p.stop_month:
        end = min(end, p.stop_month - 1)
    end = max(end, start)
    curve = progress_curve(rng, start, end)
    amount = p.annual * p.final_ratio if p.annual else p.total * 0.3
    fund_k = rng.uniform(0.82, 1.12)
    funds = 0.0
    for m in MONTHS:
        if m < first:
            continue
        p.ytd[m] = round(amount * curve[m], 1)
        funds = max(funds, round(p.ytd[m] * fund_k * rng.uniform(0.96, 1.04), 1))
        p.funds_ytd[m] = funds
    p.stats_factor = rng.uniform(0.86, 1.0)
