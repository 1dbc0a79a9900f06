"""Generate docs/data_quality.md from the rule files (never edited by hand).

    .venv/bin/python -m xmdw.quality.docs      # rewrite docs/data_quality.md

tests/test_dq_docs.py fails when the committed file differs from what this module generates.
"""

from __future__ import annotations

import re
from collections import Counter

from xmdw.core.paths import PROJECT_ROOT
from xmdw.quality.catalog import GROUP_ZH, SEVERITY_ZH, Rule, catalog_views, load_rules
from xmdw.quality.docs_text import AUDIT_INTRO, BY_METRIC_INTRO, HEADER, RESULTS
from xmdw.quality.gx_runner import SAMPLE_ROWS
from xmdw.quality.metrics import Metric, matches, metrics
from xmdw.quality.sql_rules import CHUNK_ROWS

DOC_FILE = PROJECT_ROOT / "docs" / "data_quality.md"
GENERATED = "generated from expectations/rules/ by `python -m xmdw.quality.docs`; do not edit"
GROUP_ORDER = ["file", "field", "record", "period", "cross", "stats"]
GROUP_EN = {
    "file": "file / submission",
    "field": "field (type, required, format, code list)",
    "record": "within-record logic",
    "period": "cross-period",
    "cross": "cross-table",
    "stats": "statistical anomaly screens",
}
FAMILIES = ("indicator_report", "stats_aggregate")  # one line each when their keys share the same guards


def _one_line(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def _check_text(rule: Rule) -> str:
    if rule.is_sql:
        return f"SQL `expectations/sql/{rule.id}.sql`"
    args = []
    for k, v in rule.check.items():
        if k == "type":
            continue
        if isinstance(v, dict) and "code_list" in v:
            v = f"code list {v['code_list']}"
        args.append(f"{k}={v}")
    return f"GX `{rule.check_type}` ({', '.join(args)})".replace("|", "\\|")


def _cell(text: str | None) -> str:
    return _one_line(text or "").replace("|", "\\|")


def _tables(rule: Rule) -> str:
    if rule.table == "*":
        return "every ledger"
    return ", ".join(f"`{t}`" for t in rule.tables)


def _protects(rule: Rule) -> str:
    return ", ".join(f"`{p}`" for p in rule.protects) if rule.protects else "—"


def _guards(rules: tuple[Rule, ...], key: str) -> tuple[str, ...]:
    """Ids of the rules that guard a metric (`*` rules last, marked)."""
    named = [r.id for r in rules if any(matches(p, key) for p in r.protects if p != "*")]
    every = [f"{r.id}*" for r in rules if "*" in r.protects and r.id not in named]
    return (*named, *every)


def _metric_rows(rules: tuple[Rule, ...]) -> list[tuple[str, str, str, tuple[str, ...]]]:
    """(metric, 指标, targets, guarding rules) per metric key, families folded where they agree."""
    out, folded = [], set()
    all_metrics = metrics()
    for m in all_metrics:
        if m.family in folded:
            continue
        members: list[Metric] = (
            [x for x in all_metrics if x.family == m.family] if m.family in FAMILIES else [m]
        )
        guards = {_guards(rules, x.key) for x in members}
        if len(members) > 1 and len(guards) == 1:
            folded.add(m.family)
            targets = sum(len(x.target_ids) for x in members)
            out.append((f"`{m.family}:*`", f"{len(members)} 项指标（如 {m.indicator_zh}）", f"{targets} 项目标",
                        next(iter(guards))))  # fmt: skip
            continue
        out.append((f"`{m.key}`", m.indicator_zh, ", ".join(m.target_ids), _guards(rules, m.key)))
    return out


def _by_metric_md(rules: tuple[Rule, ...]) -> list[str]:
    out = [
        BY_METRIC_INTRO,
        "| metric key | 指标 | targets | rules guarding its inputs |",
        "|---|---|---|---|",
    ]
    for key, zh, targets, guards in _metric_rows(rules):
        out.append(f"| {key} | {_cell(zh)} | {targets} | {', '.join(guards) or '—'} |")
    unguarded = [r.id for r in rules if not r.protects]
    out += [
        "",
        f"Rules that protect no published figure (the reason is in each rule's note): {', '.join(unguarded)}.",
        "",
    ]
    return out


def _audit_md(rules: tuple[Rule, ...]) -> list[str]:
    out = [AUDIT_INTRO, "| id | severity | on_fail | audit |", "|---|---|---|---|"]
    for r in rules:
        if r.scope != "table":
            continue
        audit = r.audit or "Warning: never blocks; reads only rows that survive the row rules."
        out.append(f"| **{r.id}** | {r.severity} | {r.on_fail} | {_cell(audit)} |")
    out.append("")
    return out


def _counts_md(rules: tuple[Rule, ...]) -> list[str]:
    counts = Counter((r.group, r.severity) for r in rules)
    scopes = Counter((r.group, r.scope) for r in rules)
    out = [
        "## Rule count",
        "",
        "| group | 类别 | fatal | warning | row scope | table scope | total |",
        "|---|---|---|---|---|---|---|",
    ]
    for g in GROUP_ORDER:
        total = counts[(g, "fatal")] + counts[(g, "warning")]
        out.append(
            f"| {g} | {GROUP_ZH[g]} | {counts[(g, 'fatal')]} | {counts[(g, 'warning')]} | "
            f"{scopes[(g, 'row')]} | {scopes[(g, 'table')]} | {total} |"
        )
    fatal = sum(1 for r in rules if r.is_fatal)
    row_scope = sum(1 for r in rules if r.scope == "row")
    out += [
        f"| **all** | | **{fatal}** | **{len(rules) - fatal}** | {row_scope} | {len(rules) - row_scope} | "
        f"**{len(rules)}** |",
        "",
    ]
    return out


def _group_md(rules: tuple[Rule, ...], group: str) -> list[str]:
    out = [
        f"## {group} — {GROUP_ZH[group]} ({GROUP_EN[group]})",
        "",
        "| id | table | scope | severity · on_fail | rule | message to the unit | check | protects | source · note |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rules:
        if r.group != group:
            continue
        note = f" · *{_cell(r.note)}*" if r.note else ""
        inc = " (incremental)" if r.is_incremental else ""
        out.append(
            f"| **{r.id}** | {_tables(r)} | {r.scope}{inc} | {r.severity} ({SEVERITY_ZH[r.severity]}) · "
            f"{r.on_fail} | {_cell(r.title_zh)}<br>{_cell(r.title_en)} | {_cell(r.message_zh)} | "
            f"{_check_text(r)} | {_protects(r)} | {_cell(r.source)}{note} |"
        )
    out.append("")
    return out


def data_quality_md() -> str:
    rules = load_rules()
    row_rules = [r for r in rules if r.scope == "row"]
    on_fail = Counter(r.on_fail for r in rules)
    header = HEADER.format(
        generated=GENERATED,
        n=len(rules),
        n_sql=sum(1 for r in rules if r.is_sql),
        n_native=sum(1 for r in rules if not r.is_sql),
        n_hold_rows=on_fail["hold_rows"],
        n_hold_file=on_fail["hold_file"],
        n_block_table=on_fail["block_table"],
        n_report=on_fail["report"],
        sample=SAMPLE_ROWS,
        chunk=CHUNK_ROWS,
        n_incremental=sum(1 for r in row_rules if r.is_incremental),
        n_row=len(row_rules),
        views=", ".join(f"`{v}`" for v in catalog_views()),
    )
    out = [header, *_counts_md(rules), *_by_metric_md(rules), RESULTS, *_audit_md(rules)]
    for g in GROUP_ORDER:
        out += _group_md(rules, g)
    return "\n".join(out)


def write_docs() -> bool:
    """Rewrite docs/data_quality.md; True when it changed."""
    text = data_quality_md()
    if DOC_FILE.exists() and DOC_FILE.read_text(encoding="utf-8") == text:
        return False
    DOC_FILE.write_text(text, encoding="utf-8")
    return True


if __name__ == "__main__":
    print(f"{DOC_FILE}: {'written' if write_docs() else 'up to date'}")
