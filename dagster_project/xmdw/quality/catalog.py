"""Load the rule catalog: one file per rule, shared by the checks, the report and the docs.

    expectations/rules/<ID>.yml   what the rule is, whom it protects, what a failure does (`on_fail`)
    expectations/sql/<ID>.sql     the SQL of a SQL rule: the offending rows' lineage (row scope) or findings
    expectations/views/<name>.sql helper views every rule's SQL may read

expectations/README.md describes every field. A rule's `table` is a raw entity, a list of entities or
`"*"` (every entity); `tables` is always the expanded tuple. The marts are checked by dbt tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from functools import cache
from pathlib import Path

import yaml

from xmdw.contract import load_contract
from xmdw.core.paths import EXPECTATIONS_DIR
from xmdw.quality.metrics import unknown_patterns

RULES_DIR = EXPECTATIONS_DIR / "rules"
SQL_DIR = EXPECTATIONS_DIR / "sql"
VIEWS_DIR = EXPECTATIONS_DIR / "views"
SEVERITIES = {"fatal", "warning"}
SCOPES = {"row", "table"}
GROUPS = {"file", "field", "record", "period", "cross", "stats"}
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
# What a failed rule does (docs/data_quality.md): the only fatal semantics there are.
ON_FAIL = {
    "hold_rows": "the offending rows are held back from staging until corrected",
    "hold_file": "every row of the file a finding names is held back (a finding naming no file blocks the table)",
    "block_table": "the table's check fails with ERROR: its dbt models do not build",
    "report": "recorded and reported, never blocks",
}
ON_FAIL_BY_SCOPE = {
    ("fatal", "row"): {"hold_rows"},
    ("fatal", "table"): {"hold_file", "block_table"},
    ("warning", "row"): {"report"},
    ("warning", "table"): {"report"},
}
SQL_CHECK = "sql"
ROWS_PLACEHOLDER = "{rows}"


@dataclass(frozen=True)
class Rule:
    id: str
    group: str
    table: str | list[str]
    scope: str
    severity: str
    on_fail: str
    title_zh: str
    title_en: str
    message_zh: str
    source: str
    protects: list[str]
    check: dict
    column: str | None = None
    note: str | None = None
    audit: str | None = None
    incremental: bool | None = None
    tables: tuple[str, ...] = field(default=(), compare=False)
    sql: str | None = field(default=None, compare=False)

    @property
    def is_fatal(self) -> bool:
        return self.severity == "fatal"

    @property
    def check_type(self) -> str:
        return self.check["type"]

    @property
    def is_sql(self) -> bool:
        return self.check_type == SQL_CHECK

    @property
    def field(self) -> str | None:
        """The column a unit must correct (explicit, or the native expectation's column)."""
        return self.column or self.check.get("column")

    @property
    def is_incremental(self) -> bool:
        """Declared in the rule file: the rule reads only its row (and immutable facts of the row's file, or
        reference data, which is part of the rule-set version), so a row already checked keeps its result
        from the last run (quality/incremental.py). Row scope only."""
        return self.scope == "row" and bool(self.incremental)


REQUIRED = [f.name for f in fields(Rule) if f.default is not None and f.name not in ("tables", "sql")]
OPTIONAL = {f.name for f in fields(Rule)} - set(REQUIRED) - {"tables", "sql"}


def is_mart(table: str) -> bool:
    return table.startswith("marts.")


def entity_tables() -> list[str]:
    return [e.table for e in load_contract().entities.values()]


def _expand(table: str | list[str]) -> tuple[str, ...]:
    if table == "*":
        return tuple(entity_tables())
    return tuple(table) if isinstance(table, list) else (table,)


def _check_problems(rule: Rule) -> list[str]:
    problems = []
    ctype = rule.check.get("type", "")
    if ctype == SQL_CHECK:
        if rule.sql is None:
            problems.append(f"SQL rule without {SQL_DIR.name}/{rule.id}.sql")
        elif rule.is_incremental and ROWS_PLACEHOLDER not in rule.sql:
            problems.append(f"an incremental SQL rule reads its rows as {ROWS_PLACEHOLDER}")
    elif ctype.startswith("expect_"):
        if rule.scope != "row":
            problems.append("a table-scope rule is SQL")
    else:
        problems.append(f"unknown check type {ctype!r}")
    return problems


def _validate(rule: Rule) -> None:
    problems = []
    if rule.severity not in SEVERITIES:
        problems.append(f"severity {rule.severity!r}")
    if rule.group not in GROUPS:
        problems.append(f"group {rule.group!r}")
    if rule.scope not in SCOPES:
        problems.append(f"scope {rule.scope!r}")
    allowed = ON_FAIL_BY_SCOPE.get((rule.severity, rule.scope), set())
    if rule.on_fail not in allowed:
        problems.append(f"on_fail {rule.on_fail!r} (a {rule.severity} {rule.scope} rule: {sorted(allowed)})")
    known = set(entity_tables())
    problems += [f"unknown table {t!r}" for t in rule.tables if t not in known]
    if rule.scope == "row" and not isinstance(rule.incremental, bool):
        problems.append("a row rule declares `incremental: true|false`")
    if rule.scope == "table" and rule.incremental is not None:
        problems.append("only a row rule can be incremental")
    if not isinstance(rule.protects, list):
        problems.append("`protects` is a list of metric keys")
    elif not rule.protects and not rule.note:
        problems.append("`protects: []` needs the reason in `note`")
    else:
        problems += [f"protects unknown metric {p!r}" for p in unknown_patterns(rule.protects)]
    problems += _check_problems(rule)
    if problems:
        raise ValueError(f"{RULES_DIR.name}/{rule.id}.yml: " + "; ".join(problems))


def _read_rule(path: Path) -> Rule:
    # libyaml's safe loader when the build has it: the same documents, ~10x faster for 105 files
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    missing = [k for k in REQUIRED if k not in raw]
    unknown = sorted(set(raw) - set(REQUIRED) - OPTIONAL)
    if missing or unknown or raw.get("id") != path.stem:
        raise ValueError(f"{path}: missing {missing}, unknown {unknown}, id must be the file name")
    sql_file = SQL_DIR / f"{path.stem}.sql"
    sql = sql_file.read_text(encoding="utf-8") if sql_file.exists() else None
    rule = Rule(**raw, tables=_expand(raw["table"]), sql=sql)
    _validate(rule)
    return rule


@cache
def load_rules() -> tuple[Rule, ...]:
    """Every rule, ordered by group (file, field, record, period, cross, stats) and then by id as the
    catalog numbers them (F3 before F10)."""
    rules = [_read_rule(p) for p in sorted(RULES_DIR.glob("*.yml"))]
    ids = {r.id for r in rules}
    orphans = sorted(p.name for p in SQL_DIR.glob("*.sql") if p.stem not in ids)
    if orphans:
        raise ValueError(f"{SQL_DIR}: SQL without a rule file: {orphans}")
    order = list(GROUP_ZH)
    return tuple(sorted(rules, key=lambda r: (order.index(r.group), _natural(r.id))))


def _natural(rule_id: str) -> tuple:
    """F3 < F10 < F10-X: letters, then the number, then the suffix."""
    head, _, suffix = rule_id.partition("-")
    letters = head.rstrip("0123456789")
    digits = head[len(letters) :]
    return (letters, int(digits) if digits else -1, suffix)


def catalog_files() -> list[Path]:
    """Every file of the catalog (what the rule-set version hashes)."""
    return sorted([*RULES_DIR.glob("*.yml"), *SQL_DIR.glob("*.sql"), *VIEWS_DIR.glob("*.sql")])


def rule_by_id(rule_id: str) -> Rule:
    return {r.id: r for r in load_rules()}[rule_id]


def rules_for(table: str) -> list[Rule]:
    return [r for r in load_rules() if table in r.tables]


def catalog_views() -> dict[str, str]:
    """Helper relations (name -> SELECT) created before any rule runs, by name."""
    return {p.stem: p.read_text(encoding="utf-8") for p in sorted(VIEWS_DIR.glob("*.sql"))}


def raw_tables_with_rules() -> list[str]:
    tables = {t for r in load_rules() for t in r.tables}
    return [t for t in entity_tables() if t in tables]


def mart_tables_with_rules() -> list[str]:
    """None: the marts are checked by dbt tests (kept for the callers that list GX checks per mart)."""
    return []
