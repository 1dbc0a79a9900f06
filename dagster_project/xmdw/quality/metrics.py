"""The published figures a rule protects: metric keys of `seeds/plan_targets.csv`.

A rule's `protects` lists metric keys (`rate:招商引资落地率`, `key_project_annual_investment`) or patterns:
`prefix*` (every key starting with it, e.g. `indicator_report:*`) and `*` (every figure: a rule about
whole files). Every key and pattern must name at least one metric of the plan targets, so a renamed
seed key breaks the catalog instead of silently unguarding a figure.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from xmdw.core.paths import SEEDS_DIR

TARGETS_FILE = SEEDS_DIR / "plan_targets.csv"


@dataclass(frozen=True)
class Metric:
    key: str
    indicator_zh: str  # the first target's wording
    target_ids: tuple[str, ...]

    @property
    def family(self) -> str:
        return self.key.split(":", 1)[0] if ":" in self.key else self.key


@cache
def metrics() -> tuple[Metric, ...]:
    """Every metric key of the plan targets, in the order of their first target."""
    found: dict[str, list[dict]] = {}
    with TARGETS_FILE.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            if row.get("metric_key"):
                found.setdefault(row["metric_key"], []).append(row)
    return tuple(
        Metric(key, rows[0]["indicator_zh"], tuple(r["target_id"] for r in rows))
        for key, rows in found.items()
    )


def matches(pattern: str, key: str) -> bool:
    if pattern.endswith("*"):
        return key.startswith(pattern[:-1])
    return key == pattern


def expand(patterns: list[str]) -> list[str]:
    """The metric keys a `protects` list names, in target order."""
    return [m.key for m in metrics() if any(matches(p, m.key) for p in patterns)]


def unknown_patterns(patterns: list[str]) -> list[str]:
    """Keys or patterns that name no metric of the plan targets."""
    keys = [m.key for m in metrics()]
    return [p for p in patterns if not isinstance(p, str) or not any(matches(p, k) for k in keys)]
