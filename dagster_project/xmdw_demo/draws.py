"""Random draws the world simulation is made of: a day in a month, amounts rounded to a step, a total split
into uneven parts. Deterministic for a given random.Random."""

from __future__ import annotations

import random
from datetime import date


def rdate(rng: random.Random, y: int, m: int, lo: int = 1, hi: int = 28) -> date:
    return date(y, m, rng.randint(lo, hi))


def clamp_year(d: date, year: int) -> date:
    return min(d, date(year, 12, 31))


def round_to(x: float, step: float) -> float:
    return round(x / step) * step


def split_total(rng: random.Random, total: float, n: int, step: float = 10) -> list[float]:
    w = [rng.lognormvariate(0, 0.5) for _ in range(n)]
    vals = [round_to(total * x / sum(w), step) for x in w]
    vals[0] += total - sum(vals)
    return vals
