"""Generate docs/data_quality.md from the rule catalog (never edited by hand).

    .venv/bin/python -m xmdw.quality.docs      # rewrite docs/data_quality.md

tests/test_dq_docs.py fails when the committed file differs from what this module generates.
"""

from __future__ import annotations

import re
from collections import Counter

from xmdw.core.paths import PROJECT_ROOT
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
| **fatal · table** | Table rules run **after** the row rules and read only what staging will read: `cur_<entity>` is the latest revision minus the rows held back in this run (and those an earlier run holds back in tables not validated now) — decided once, in the runner (`quality/relations.py`), not per rule. A finding that **names a file** (an empty submission, row counts that do not reconcile: F5, F6, F7) **holds back every row of that file** (written to `raw.dq_excluded_rows` like row holds); the unit sees it as fatal, every other file, unit and region publishes. A finding that names no file would fail the table's Dagster asset check with **ERROR** (blocking: the dbt models do not build, the marts keep their last good contents) — no rule on the units' ledgers does that since issue 10: *a region's marts never depend on another region's mistake* (audit below). |
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
- Each table's rows are read from DuckDB into pandas — the **latest revision** of every natural key, i.e.
  what staging reads — and validated by Great Expectations (decision 12). Native expectations are used where
  they fit (`expect_column_values_to_be_in_set` with the code lists of `seeds/code_lists.csv`,
  `…_to_be_between`, `…_to_match_regex`, `…_to_not_be_null`). Other rules are SQL evaluated by DuckDB
  and turned into a boolean column that GX validates with `ExpectColumnValuesToBeInSet([False])`: a row
  predicate (`sql_violation`), or a full query returning the offending rows' lineage (`sql_query`) for
  cross-period and cross-table rules, joined back on (`_file_id`, `_sheet`, `_source_row`). Table-scope
  queries return findings (a file, a region-month, a unit-year), stacked into one frame per table and
  validated the same way. One rule, one place, one result format.
- **New rows, not the history** (issue 11). A rule is *incremental* when it reads nothing but its own row
  (`incremental` in `rules.yml`; by default single-column expectations and sub-query-free predicates,
  {n_incremental} of the {n_row_raw} row rules on the units' ledgers): it gets only the rows of files not
  checked yet under the current **rule-set version** (a hash of `rules.yml`, `contract.yml` and
  `seeds/*.csv`), listed per version in `raw.dq_checked_files`. Its findings on the other rows are carried
  forward from the last run that checked the table, minus the rows a later revision superseded, so
  `raw.dq_results` and `raw.dq_excluded_rows` are exactly what a full run would write. Every other row rule
  (cross-table, cross-period) is evaluated by DuckDB on every current row, and GX gets only the rows it
  flags. A change of rules, contract or reference data starts a full run by itself;
  `validate(con, full=True)` forces one. `raw.dq_runs` records the version and the rows handed to GX
  (`gx_rows_incremental`, `gx_rows_other`). Table rules are SQL over the current rows (DuckDB) and GX gets
  their findings.
- Rule SQL may use `cur_<entity>` (latest revisions; for table rules without the rows held back),
  `seed_<name>` (the reference CSVs, so rules work
  before dbt has built `ref.*`), `raw.*` (ingestion log, earlier revisions) and the catalog's views
  (`plan_current`, `progress_seq` with the derived single-month value, `stage_rank`).
- **S1 (Benford)** gives a verdict only for a unit-year with at least 300 single-month values; smaller
  samples are recorded as 说明 (info, `样本不足`) and never as a warning.

## Results as data

| table | one row per | columns |
|---|---|---|
| `raw.dq_runs` | validation stage of a run (`raw`, `marts`) | run_id, stage, started_at, finished_at, seconds, tables_validated, rows_validated (current rows covered), rules_run, rules_failed, fatal_count, warning_count, info_count, rows_held_back, blocked_tables, rule_set_version, carried_forward, files_new, gx_rows_incremental, gx_rows_other |
| `raw.dq_rule_results` | rule × table × run | run_id, rule_id, table_name, rule_group, scope, severity, success, element_count, unexpected_count, blocking, checked_at |
| `raw.dq_results` | offending row / finding / info note | run_id, rule_id, severity (fatal / warning / info), rule_group, table_name, scope, submitting_unit, file_id, file_name, sheet, source_row, column_name, column_zh, record_key, observed_value, message_zh, held_back, blocking, submitted_at, detected_at |
| `raw.dq_excluded_rows` | held-back row (current state, replaced per entity each run) | entity, _file_id, _sheet, _source_row, rule_id, run_id, excluded_at |
| `raw.dq_checked_files` | file checked by the incremental rules, per rule-set version (state) | rule_set_version, entity, file_id, run_id, checked_at |

The run id is the Dagster run id's first 12 characters (as in `raw.ingest_log.run_id`).

## The report (data/reports/)

- `数据质量报告.html` — one self-contained page (inline CSS and SVG, no script, no external resource;
  renders offline): status (blocked / published with rows held back / clean), counts by severity with
  the change since the previous run, the trend of the last runs, a table per unit and per rule (this run,
  previous run, change), every problem by unit, the 说明 notes, and these semantics.
- `退回修改清单.xlsx` — sheet 汇总 (unit × rule: this run, previous run, change), then one sheet per
  submitting unit: submission time, file, sheet, row, field, problem, value, rule, severity, action
  (暂扣不入库 / 阻断发布 / 请核改 / 请核实 / 退回 / 隔离), record — newest submission first. Ingestion
  rejections stay listed until a later submission **covers the row's natural key** (the same ledger loads
  the same key from another file at or after the rejection; ingestion writes the key with the rejection,
  `raw.rejected_rows.natural_key_json`); a row whose key cannot be read stays until a file of the same
  unit, ledger, region and period from a later run loads with no rejection. Files of one batch never hide
  each other's rejections. Quarantined files — landing entries moved aside unopened (links, devices:
  `ING-NOTFILE`, no hash) included — stay until a later accepted file whose name starts with the
  quarantined file's name arrives. Optional values ingestion could not read (`raw.value_findings`, the row
  kept) are listed as 提示 until a later file loads the row's key again. A finding goes to the unit of the file its row came from (the row's unit, the log's, the file name's); a file that names no unit goes to its region's lead unit (发改) or, if none is known, to the region; only findings with no file (marts) go to the sheet `（全局/数据管理员）`. The HTML shows one line per rule × unit with the count and the first 5 rows; the xlsx keeps every row. Every text
  cell is a neutralised string (`textsafe.neutralise`, never a formula); the HTML escapes all ledger text.
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


AUDIT_INTRO = """\
## Table-level rules: who a failure affects (issue 10 audit)

Issue 10 found that one county's January row, rightly held back by F3, still made F8 fail and blocked
every region's marts. Every table-scope rule was checked for the same flaw (does it read rows the row
rules hold back?) and for effects across regions (can one unit's or region's data stop another's?).
Since then table rules read only rows that survive the row rules (runner, once), and:
"""


def _audit_md(rules: tuple[Rule, ...]) -> list[str]:
    out = [AUDIT_INTRO, "| id | severity | on failure | audit |", "|---|---|---|---|"]
    for r in rules:
        if r.scope != "table":
            continue
        if r.is_mart_rule:
            effect = "blocks publication (last good copy stays)" if r.is_fatal else "reported"
        else:
            effect = "holds back the file it names" if r.is_fatal else "reported to the unit, never blocks"
        audit = r.audit or "Warning: never blocks; reads only rows that survive the row rules."
        out.append(f"| **{r.id}** | {r.severity} | {effect} | {_cell(audit)} |")
    out.append("")
    return out


def data_quality_md() -> str:
    rules = load_rules()
    n_mart = sum(1 for r in rules if r.is_mart_rule)
    row_raw = [r for r in rules if r.scope == "row" and not r.is_mart_rule]
    out = [
        HEADER.format(
            generated=GENERATED,
            n=len(rules),
            n_raw=len(rules) - n_mart,
            n_mart=n_mart,
            n_incremental=sum(1 for r in row_raw if r.is_incremental),
            n_row_raw=len(row_raw),
        )
    ]
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
    out += _audit_md(rules)
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
