"""Load the rule catalog: one definition per rule, shared by checks, report and docs.

`expectations/rules.yml` holds the rules, the helper views their SQL may use and the marts that have
rules. A rule's `table` is a raw entity, a list of entities, `"*"` (every entity) or a mart
(`marts.<model>`); `tables` is always the expanded tuple.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

import yaml

from xmdw.contract import load_contract
from xmdw.core.paths import EXPECTATIONS_DIR

CATALOG_FILE = EXPECTATIONS_DIR / "rules.yml"
SEVERITIES = {"fatal", "warning"}
SCOPES = {"row", "table"}
GROUPS = {"file", "field", "record", "period", "cross", "stats", "mart"}
GROUP_ZH = {
    "file": "文件/报送级",
    "field": "字段级",
    "record": "记录内逻辑",
    "period": "跨期",
    "cross": "跨表",
    "stats": "统计异常筛查",
    "mart": "专题表",
}
SEVERITY_ZH = {"fatal": "致命", "warning": "警告", "info": "说明"}
SQL_TYPES = {"sql_violation", "sql_query"}
# GX expectations that judge each row on its own value (not uniqueness, not aggregates)
ROW_LOCAL_EXPECTATIONS = {
    "expect_column_values_to_be_between",
    "expect_column_values_to_be_in_set",
    "expect_column_values_to_not_be_null",
    "expect_column_values_to_match_regex",
    "expect_column_values_to_not_match_regex",
    "expect_column_value_lengths_to_be_between",
}
SUBQUERY = re.compile(r"\b(select|from)\b", re.IGNORECASE)
# a predicate whose verdict can change while its row does not (the clock, chance) is never incremental
VOLATILE = re.compile(r"\b(current_date|current_timestamp|localtimestamp|now|today|random)\b", re.IGNORECASE)


@dataclass(frozen=True)
class Rule:
    id: str
    group: str
    table: str | list[str]
    scope: str
    severity: str
    title_zh: str
    title_en: str
    message_zh: str
    source: str
    check: dict
    column: str | None = None
    note: str | None = None
    audit: str | None = None
    incremental: bool | None = None
    tables: tuple[str, ...] = field(default=(), compare=False)

    @property
    def is_fatal(self) -> bool:
        return self.severity == "fatal"

    @property
    def check_type(self) -> str:
        return self.check["type"]

    @property
    def field(self) -> str | None:
        """The column a unit must correct (explicit, or the native expectation's column)."""
        return self.column or self.check.get("column")

    @property
    def is_incremental(self) -> bool:
        """The rule reads only its row (and immutable facts of the row's file, or reference data, which is
        part of the rule-set version), so a row already checked keeps its result from the last run:
        explicit `incremental`, else single-column GX expectations and sub-query-free predicates without
        the clock. A rule reading other rows is evaluated on every current row (quality/incremental.py)."""
        if self.scope != "row" or self.is_mart_rule:
            return False
        if self.incremental is not None:
            return self.incremental
        if self.check_type == "sql_violation":
            sql = self.check["where"] + (self.check.get("observed") or "")
            return not SUBQUERY.search(sql) and not VOLATILE.search(sql)
        return self.check_type in ROW_LOCAL_EXPECTATIONS

    @property
    def is_mart_rule(self) -> bool:
        return all(is_mart(t) for t in self.tables)


def is_mart(table: str) -> bool:
    return table.startswith("marts.")


def entity_tables() -> list[str]:
    return [e.table for e in load_contract().entities.values()]


def _expand(table: str | list[str]) -> tuple[str, ...]:
    if table == "*":
        return tuple(entity_tables())
    return tuple(table) if isinstance(table, list) else (table,)


def _validate(rule: Rule) -> None:
    problems = []
    if rule.severity not in SEVERITIES:
        problems.append(f"severity {rule.severity!r}")
    if rule.group not in GROUPS:
        problems.append(f"group {rule.group!r}")
    if rule.scope not in SCOPES:
        problems.append(f"scope {rule.scope!r}")
    known = set(entity_tables())
    for t in rule.tables:
        if t not in known and not is_mart(t):
            problems.append(f"unknown table {t!r}")
    ctype = rule.check.get("type", "")
    if rule.scope == "table" and ctype != "sql_query":
        problems.append("a table-scope rule needs check type sql_query")
    if ctype == "sql_violation" and "where" not in rule.check:
        problems.append("sql_violation needs `where`")
    if ctype == "sql_query" and "query" not in rule.check:
        problems.append("sql_query needs `query`")
    if rule.incremental and (rule.scope != "row" or ctype == "sql_query"):
        problems.append("only a row-scope predicate or expectation can be incremental")
    if ctype not in SQL_TYPES and not ctype.startswith("expect_"):
        problems.append(f"unknown check type {ctype!r}")
    if problems:
        raise ValueError(f"rules.yml: {rule.id}: " + "; ".join(problems))


@cache
def _catalog() -> dict:
    return yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))


@cache
def load_rules() -> tuple[Rule, ...]:
    rules = []
    for raw in _catalog()["rules"]:
        rule = Rule(**raw)
        rule = Rule(**{**raw, "tables": _expand(rule.table)})
        _validate(rule)
        rules.append(rule)
    ids = [r.id for r in rules]
    if len(ids) != len(set(ids)):
        raise ValueError("rules.yml: duplicate rule ids")
    return tuple(rules)


def rule_by_id(rule_id: str) -> Rule:
    return {r.id: r for r in load_rules()}[rule_id]


def rules_for(table: str) -> list[Rule]:
    return [r for r in load_rules() if table in r.tables]


def catalog_views() -> dict[str, str]:
    """Helper relations (name -> SELECT) created before any rule runs, in catalog order."""
    return dict(_catalog().get("views") or {})


def mart_keys() -> dict[str, list[str]]:
    """Marts with rules -> the columns that identify one of their rows in results."""
    return {name: list(spec["key"]) for name, spec in (_catalog().get("marts") or {}).items()}


def raw_tables_with_rules() -> list[str]:
    tables = {t for r in load_rules() for t in r.tables if not is_mart(t)}
    return [t for t in entity_tables() if t in tables]


def mart_tables_with_rules() -> list[str]:
    tables = {t for r in load_rules() for t in r.tables if is_mart(t)}
    return sorted(tables)
