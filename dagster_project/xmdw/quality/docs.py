"""Generate docs/data_quality.md from the rule catalog (never edited by hand).

    .venv/bin/python -m xmdw.quality.docs      # rewrite docs/data_quality.md

tests/test_dq_docs.py fails when the committed file differs from what this module generates.
"""

from __future__ import annotations

import re
from collections import Counter

from xmdw.paths import PROJECT_ROOT
from xmdw.quality.catalog import GROUP_ZH, SEVERITY_ZH, Rule, load_rules

DOC_FILE = PROJECT_ROOT / "docs" / "data_quality.md"
GENERATED = "generated from expectations/rules.yml by `python -m xmdw.quality.docs`; do not edit"
GROUP_ORDER = ["file", "field", "record", "period", "cross", "stats", "mart"]
GROUP_EN = {
    "file": "file / submission",
    "field": "field (type, required, format, code list)",
    "record": "within-record logic",
    "period": "cross-period",
    "cross": "cross-table",
    "stats": "statistical anomaly screens",
    "mart": "marts (after dbt)",
}

HEADER = """\
# Data quality (数据质量)

<!-- {generated} -->

Every rule lives once, in `expectations/rules.yml`; the Great Expectations runner
(`dagster_project/xmdw/quality/`), the Dagster asset checks, the 数据质量报告 / 退回修改清单 and this page
all read it. This page lists **{n} rules** ({n_raw} on the units' ledgers, {n_mart} on the marts).

## What a rule does when it fails (the owner's decision)

| severity · scope | effect |
|---|---|
| **fatal · row** | Like the DATA Act Broker: the offending rows are **held back** from the authoritative layer until the unit fixes them. The check writes their lineage (entity, `_file_id`, `_sheet`, `_source_row`, rule) to `raw.dq_excluded_rows`; the generated staging models leave them out (`latest_revision` macro, a portable `NOT EXISTS` anti-join). The exclusions are recomputed on every run, so a corrected resubmission (a new revision of the same natural key) flows through. The superseded revision is **not** brought back while the new one is held: it was replaced by the unit itself and was never the current figure. The table's check reports WARN (it does not block). |
| **fatal · table** | The finding concerns a file, a submission, a region-month or the whole table (empty submission, row counts that do not reconcile, a region with no progress for a reported month). The table's Dagster asset check fails with severity **ERROR**; the check is **blocking**, so the dbt models do not build and the marts keep their last good contents. The report is still written (it does not depend on the blocked assets). |
| **warning** | Never blocks. Recorded in `raw.dq_results`, listed in the report for the unit to confirm or correct. Statistical screens are warnings only and never correct anything. |
| **mart rules** (group `mart`) | Asset checks on the dbt marts (`AssetKey(["marts", "<model>"])`), run after the mart is built. A failed fatal mart rule makes the check ERROR and, the check being blocking, **the build is not published** (`data/serving/` keeps the last good copy, bulletins and BI read that); warnings never block. The data admins, not the units, fix them. Add a mart by listing it under `marts:` in `rules.yml` with its key columns and giving rules `table: marts.<model>`. |

Ingestion's own checks come first (decision 6): a value that cannot be read as its type or an empty
required field rejects the row (`ING-NUM`, `ING-DATE`, `ING-REQ`, `ING-DUP` … in `raw.rejected_rows`); a
file that cannot be used is quarantined (`ING-F0`–`ING-F5` in `raw.ingest_log`). The report lists both
with the rule findings, because units must fix them too. Domain checks (a code outside its list, dates in
the wrong order, cumulative figures that decrease …) are the rules below.

## How the rules run

- The raw tables' rules run in **one Dagster step** (`gx_raw_tables`, one blocking asset check
  `gx_<table>` per raw table) after ingestion and before dbt; the marts' in `gx_marts`
  (`gx_<mart>`, blocking publication only) after dbt. `xmdw.quality.results.validate(con)` runs the same thing
  without Dagster.
- Each table is read from DuckDB into pandas — the **latest revision** of every natural key, i.e. what
  staging reads — and validated by Great Expectations (decision 12). Native expectations are used where
  they fit (`expect_column_values_to_be_in_set` with the code lists of `seeds/code_lists.csv`,
  `…_to_be_between`, `…_to_match_regex`, `…_to_not_be_null`). Other rules are SQL evaluated by DuckDB
  and turned into a boolean column that GX validates with `ExpectColumnValuesToBeInSet([False])`: a row
  predicate (`sql_violation`), or a full query returning the offending rows' lineage (`sql_query`) for
  cross-period and cross-table rules, joined back on (`_file_id`, `_sheet`, `_source_row`). Table-scope
  queries return findings (a file, a region-month, a unit-year), stacked into one frame per table and
  validated the same way. One rule, one place, one result format.
- Rule SQL may use `cur_<entity>` (latest revisions), `seed_<name>` (the reference CSVs, so rules work
  before dbt has built `ref.*`), `raw.*` (ingestion log, earlier revisions) and the catalog's views
  (`plan_current`, `progress_seq` with the derived single-month value, `stage_rank`).
- **S1 (Benford)** gives a verdict only for a unit-year with at least 300 single-month values; smaller
  samples are recorded as 说明 (info, `样本不足`) and never as a warning.

## Results as data

| table | one row per | columns |
|---|---|---|
| `raw.dq_runs` | validation stage of a run (`raw`, `marts`) | run_id, stage, started_at, finished_at, seconds, tables_validated, rows_validated, rules_run, rules_failed, fatal_count, warning_count, info_count, rows_held_back, blocked_tables |
| `raw.dq_rule_results` | rule × table × run | run_id, rule_id, table_name, rule_group, scope, severity, success, element_count, unexpected_count, blocking, checked_at |
| `raw.dq_results` | offending row / finding / info note | run_id, rule_id, severity (fatal / warning / info), rule_group, table_name, scope, submitting_unit, file_id, file_name, sheet, source_row, column_name, column_zh, record_key, observed_value, message_zh, held_back, blocking, submitted_at, detected_at |
| `raw.dq_excluded_rows` | held-back row (current state, replaced per entity each run) | entity, _file_id, _sheet, _source_row, rule_id, run_id, excluded_at |

The run id is the Dagster run id's first 12 characters (as in `raw.ingest_log.run_id`).

## The report (data/reports/)

- `数据质量报告.html` — one self-contained page (inline CSS and SVG, no script, no external resource;
  renders offline): status (blocked / published with rows held back / clean), counts by severity with
  the change since the previous run, the trend of the last runs, a table per unit and per rule (this run,
  previous run, change), every problem by unit, the 说明 notes, and these semantics.
- `退回修改清单.xlsx` — sheet 汇总 (unit × rule: this run, previous run, change), then one sheet per
  submitting unit: submission time, file, sheet, row, field, problem, value, rule, severity, action
  (暂扣不入库 / 阻断发布 / 请核改 / 请核实 / 退回 / 隔离), record — newest submission first. Ingestion
  rejections and quarantined files are included while no later accepted file of the same unit, ledger and
  period (for quarantined files: a later file whose name starts with the quarantined file's name) has
  replaced them. Findings without a unit (region-level, marts) go to the sheet `（全局/数据管理员）`.
- Written by the Dagster asset `reports/dq_report` (group `reports`) in every run — it depends only on the
  raw log tables, so a blocked run still writes it; its low step priority runs it after the checks, dbt
  and the mart checks — and callable as `xmdw.reports.write_dq_report(paths)`.

## Severities chosen differently from domain-research §4

Where a research rule is fatal but the rule here is a warning (or the reverse), the rule's *note* says
why. The general reasoning: a fatal row rule holds the whole row back, so it is kept for errors that make
the row's figures or identity unusable (a code outside its list, impossible dates, a broken cash chain,
official figures from a non-statistics unit); incompleteness (a missing start date) and contradictions
where only the unit knows which of two figures is wrong (cumulative decreases, 入库 below 500 万元) are
warnings, so the data stays visible while the unit answers. Thresholds marked *tunable* are [P] in the
research and can be changed in `rules.yml`. Research rules without data in the contract (USCC, 构成,
documents, bonds, policy deadlines — the deadlines are tracked in `mart_fund_deadlines`) are not
implemented.
"""


def _one_line(sql: str) -> str:
    return re.sub(r"\s+", " ", sql).strip()


def _check_text(rule: Rule) -> str:
    c = rule.check
    kind = c["type"]
    if kind == "sql_violation":
        where = _one_line(c["where"])
        return f"SQL: `{where}`" if len(where) <= 140 else "SQL predicate (rules.yml)"
    if kind == "sql_query":
        return "SQL query (rules.yml)"
    args = []
    for k, v in c.items():
        if k == "type":
            continue
        if isinstance(v, dict) and "code_list" in v:
            v = f"code list {v['code_list']}"
        args.append(f"{k}={v}")
    return f"GX `{kind}` ({', '.join(args)})".replace("|", "\\|")


def _cell(text: str | None) -> str:
    return _one_line(text or "").replace("|", "\\|")


def _tables(rule: Rule) -> str:
    if rule.table == "*":
        return "every ledger"
    return ", ".join(f"`{t}`" for t in rule.tables)


def data_quality_md() -> str:
    rules = load_rules()
    n_mart = sum(1 for r in rules if r.is_mart_rule)
    out = [HEADER.format(generated=GENERATED, n=len(rules), n_raw=len(rules) - n_mart, n_mart=n_mart)]
    counts = Counter((r.group, r.severity) for r in rules)
    scopes = Counter((r.group, r.scope) for r in rules)
    out += [
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
    for g in GROUP_ORDER:
        group_rules = [r for r in rules if r.group == g]
        if not group_rules:
            continue
        out += [
            f"## {g} — {GROUP_ZH[g]} ({GROUP_EN[g]})",
            "",
            "| id | table | scope | severity | rule | message to the unit | check | source · note |",
            "|---|---|---|---|---|---|---|---|",
        ]
        for r in group_rules:
            note = f" · *{_cell(r.note)}*" if r.note else ""
            out.append(
                f"| **{r.id}** | {_tables(r)} | {r.scope} | {r.severity} ({SEVERITY_ZH[r.severity]}) | "
                f"{_cell(r.title_zh)}<br>{_cell(r.title_en)} | {_cell(r.message_zh)} | {_check_text(r)} | "
                f"{_cell(r.source)}{note} |"
            )
        out.append("")
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
