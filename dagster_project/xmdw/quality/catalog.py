"""Load the rule catalog: one definition per rule, shared by checks, report and docs."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import yaml

from xmdw.paths import EXPECTATIONS_DIR

CATALOG_FILE = EXPECTATIONS_DIR / "rules.yml"
SEVERITIES = {"fatal", "warning"}
GROUPS = {"file", "field", "record", "period", "cross", "stats"}


@dataclass(frozen=True)
class Rule:
    id: str
    group: str
    table: str
    severity: str
    title_zh: str
    title_en: str
    message_zh: str
    source: str
    check: dict

    @property
    def is_fatal(self) -> bool:
        return self.severity == "fatal"


@cache
def load_rules() -> tuple[Rule, ...]:
    raw = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    rules = tuple(Rule(**r) for r in raw["rules"])
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError("rules.yml: duplicate rule ids")
    for r in rules:
        if r.severity not in SEVERITIES or r.group not in GROUPS:
            raise ValueError(f"rules.yml: {r.id} has an unknown severity or group")
    return rules


def rules_for(table: str) -> list[Rule]:
    return [r for r in load_rules() if r.table == table]
