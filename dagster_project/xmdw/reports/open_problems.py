"""What a unit still has to fix, as of a data-quality run: the rows of the report and the 退回修改清单.

- **Rule findings** of the run (`raw.dq_results`, fatal and warning).
- **Rejected rows** (`raw.rejected_rows`): a row stays listed until a later submission *covers its
  natural key* — the same ledger loads the same key from another file at or after the rejection
  (`natural_key_json`, written by ingestion). A row whose key cannot be read stays until a file of the
  same unit, ledger, region and period from a *later run* loads with no rejection at all. So files of one
  batch never hide each other's rejections, and a registry upload hides only the rows it actually brings
  (issue 11).
- **Quarantined files** (`raw.ingest_log`, including landing entries moved aside unopened, which have no
  hash): until an accepted file whose name starts with the quarantined file's name arrives at or after it
  (the unit's 更正 of that file).
- **Value findings** (`raw.value_findings`): an optional value that could not be read was stored as empty
  and the row kept — listed as 提示 until a later file loads the row's natural key again.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pandas as pd

from xmdw.contract import load_contract
from xmdw.lineage import frames, published
from xmdw.quality.catalog import load_rules
from xmdw.reports.dq_aggregate import attribute
from xmdw.warehouse.store import RAW

GLOBAL_UNIT = "（全局/数据管理员）"
UNKNOWN_UNIT = "（未识别单位）"
UNIT_SUFFIX = re.compile(r"(局|委|办|中心|镇|乡|街道|办事处|公司|院|站|所|队|政府|管委会|分公司)$")
VALUE_FINDINGS = "value_findings"

COLUMNS = [
    "unit",
    "submitted_at",
    "file_name",
    "sheet",
    "source_row",
    "field",
    "problem",
    "observed",
    "rule_id",
    "rule_title",
    "severity",
    "action",
    "record_key",
    "table_name",
    "kind",
]


def has_table(con: Any, name: str) -> bool:
    return published.has_table(con, RAW, name)


def _unit_from_name(name: str | None) -> str | None:
    token = re.split(r"[_\-—\s]", name or "")[0]
    return token if token and UNIT_SUFFIX.search(token) else None


def _action(blocking: bool, held: bool, severity: str, scope: str) -> str:
    if blocking:
        return "阻断发布"
    if held:
        return "整个文件暂扣，请补报或核查" if scope == "table" else "暂扣不入库"
    return "请核改" if severity == "fatal" else "请核实"


def dq_problems(con: Any, run_id: str) -> pd.DataFrame:
    frame = frames.frame(
        con,
        f"""
        SELECT d.submitting_unit AS unit, d.submitted_at, d.file_name, d.sheet, d.source_row,
               coalesce(d.column_zh, d.column_name) AS field, d.message_zh AS problem,
               d.observed_value AS observed, d.rule_id, d.severity, d.scope, d.held_back, d.blocking,
               d.record_key, d.table_name, l.unit AS file_unit, l.region_code,
               (d.file_id IS NOT NULL OR d.file_name IS NOT NULL) AS has_file
        FROM {RAW}.dq_results d
        LEFT JOIN (SELECT file_id, min(submitting_unit) AS unit, min(region_code) AS region_code
                   FROM {RAW}.ingest_log WHERE file_id IS NOT NULL GROUP BY file_id) l ON l.file_id = d.file_id
        WHERE d.run_id = ? AND d.severity IN ('fatal', 'warning')
        """,
        [run_id],
    )
    titles = {r.id: r.title_zh for r in load_rules()}
    frame["rule_title"] = frame["rule_id"].map(titles)
    frame["action"] = [
        _action(bool(b), bool(h), s, sc)
        for b, h, s, sc in zip(
            frame["blocking"], frame["held_back"], frame["severity"], frame["scope"], strict=True
        )
    ]
    frame["kind"] = "质量规则"
    # the unit of the file the row came from; a file without one goes to its region (dq_aggregate.py)
    frame["unit"] = [
        attribute(u, fu, _unit_from_name(f if isinstance(f, str) else None), rc, bool(hf), GLOBAL_UNIT,
                  UNKNOWN_UNIT)
        for u, fu, f, rc, hf in zip(
            frame["unit"], frame["file_unit"], frame["file_name"], frame["region_code"], frame["has_file"],
            strict=True,
        )
    ]  # fmt: skip
    return frame.reindex(columns=COLUMNS)


# Natural keys are compared as one text per row (portable: no list type on PostgreSQL): the key's columns
# as text, NULL as KEY_NULL, joined by KEY_SEP — characters no ledger value holds.
KEY_SEP, KEY_NULL = "chr(31)", "chr(30)"


def _key_text(parts: list[str]) -> str:
    return f" || {KEY_SEP} || ".join(f"coalesce({p}, {KEY_NULL})" for p in parts)


def _key_list(entity_name: str, alias: str) -> str:
    """The natural key of a raw row of `entity_name` as one text."""
    cols = load_contract().entities[entity_name].natural_key
    return _key_text([f'CAST({alias}."{c}" AS VARCHAR)' for c in cols])


def _stored_key_parts(entities: list[str], column: str) -> dict[str, list[str]]:
    """Per entity, the parts of a stored `natural_key_json` (written at ingestion) in contract order."""
    contract = load_contract()
    return {
        e: [f"(CAST({column} AS JSON) ->> '{k}')" for k in contract.entities[e].natural_key]
        for e in entities
        if e in contract.entities
    }


def _stored_key(entities: list[str], alias: str, *, shown: bool) -> str:
    """`<alias>.natural_key_json` as the text `_key_list` gives for the same key (shown=False), or as the
    record key the report prints, 'a / b' (shown=True); NULL without a stored key."""
    column = f"{alias}.natural_key_json"
    parts = _stored_key_parts(entities, column)
    if not parts:
        return "CAST(NULL AS VARCHAR)"
    cases = " ".join(
        f"WHEN '{e}' THEN " + (f"concat_ws(' / ', {', '.join(p)})" if shown else _key_text(p))
        for e, p in parts.items()
    )
    return f"CASE WHEN {column} IS NOT NULL THEN CASE {alias}.entity {cases} END END"


def _loaded_keys_sql(entities: list[str]) -> str:
    """(entity, key_values, file, time) of raw rows whose key some open problem has: only the key
    columns of matching rows are read, never whole tables."""
    contract = load_contract()
    parts = [
        f"SELECT CAST('{e}' AS VARCHAR) AS entity, {_key_list(e, 't')} AS key_values, t._file_id, t._ingested_at "
        f"FROM {RAW}.{contract.entities[e].table} t "
        f"WHERE {_key_list(e, 't')} IN (SELECT key_values FROM open WHERE entity = '{e}')"
        for e in entities
        if e in contract.entities
    ]
    return " UNION ALL ".join(parts) or (
        "SELECT CAST(NULL AS VARCHAR) AS entity, CAST(NULL AS VARCHAR) AS key_values, "
        "CAST(NULL AS VARCHAR) AS _file_id, CAST(NULL AS TIMESTAMP) AS _ingested_at WHERE false"
    )


# `as_of` is given once, as a one-row CTE (positional parameters on both engines; no named ones)
_AS_OF = "as_of AS (SELECT CAST(? AS TIMESTAMP) AS t)"
_LATER_CLEAN_FILE = """
    EXISTS (SELECT 1 FROM {raw}.ingest_log n
            WHERE n.status = 'accepted' AND n.entity = open.entity AND n.run_id IS DISTINCT FROM open.run_id
              AND n.ingested_at >= open.ingested_at AND n.ingested_at <= (SELECT t FROM as_of)
              AND n.rows_rejected = 0
              AND n.submitting_unit IS NOT DISTINCT FROM open.unit
              AND n.period_year IS NOT DISTINCT FROM open.period_year
              AND n.period_month IS NOT DISTINCT FROM open.period_month
              AND n.region_code IS NOT DISTINCT FROM open.region_code)
"""


def uncovered(con: Any, table: str, as_of: datetime) -> pd.DataFrame:
    """Rows of `raw.rejected_rows` / `raw.value_findings` no later submission has covered by `as_of`: a
    row with a key (`natural_key_json`, written at ingestion) until another file loads that key at or after
    it; a row without one until a clean file of the same unit, ledger and period from a later run."""
    entities = [r[0] for r in con.execute(f"SELECT DISTINCT entity FROM {RAW}.{table}").fetchall() if r[0]]
    return frames.frame(
        con,
        f"""
        WITH {_AS_OF},
        open AS (
            SELECT r.*, coalesce(r.submitting_unit, l.submitting_unit) AS unit, l.run_id, l.period_year,
                   l.period_month, l.region_code, {_stored_key(entities, "r", shown=False)} AS key_values,
                   {_stored_key(entities, "r", shown=True)} AS key_shown
            FROM {RAW}.{table} r
            LEFT JOIN {RAW}.ingest_log l ON l.log_id = r.log_id
            WHERE r.ingested_at <= (SELECT t FROM as_of)
        ),
        loaded AS ({_loaded_keys_sql(entities)})
        SELECT open.unit, open.ingested_at AS submitted_at, open.file_name, open.sheet, open.source_row,
               open.column_header AS field, open.message_zh AS problem, open.value AS observed,
               open.rule AS rule_id, open.entity AS table_name, open.region_code,
               open.key_shown AS record_key
        FROM open
        WHERE NOT CASE
            WHEN open.key_values IS NOT NULL THEN EXISTS (
                SELECT 1 FROM loaded x
                WHERE x.entity = open.entity AND x.key_values = open.key_values AND x._file_id <> open.file_id
                  AND x._ingested_at >= open.ingested_at AND x._ingested_at <= (SELECT t FROM as_of))
            ELSE {_LATER_CLEAN_FILE.format(raw=RAW)}
        END
        """,
        [_timestamp(as_of)],
    )


def _timestamp(value: object) -> datetime:
    """A plain datetime for the driver (psycopg2 cannot adapt pandas' Timestamp subclass's NaT)."""
    return pd.Timestamp(value).to_pydatetime()


def rejected_rows(con: Any, as_of: datetime) -> pd.DataFrame:
    """Rejected rows no later submission has covered by `as_of`."""
    frame = uncovered(con, "rejected_rows", as_of)
    frame["severity"] = "fatal"
    frame["action"] = "退回（该行未入库）"
    frame["kind"] = "接收退回"
    return frame


def quarantined_files(con: Any, as_of: datetime) -> pd.DataFrame:
    """Quarantined files (and landing entries moved aside unopened, which have no hash: ING-NOTFILE) until
    a later accepted file whose name starts with theirs arrives. The same bytes quarantined again are one
    entry (the latest); an entry without a hash is one per name."""
    frame = frames.frame(
        con,
        rf"""
        WITH {_AS_OF}
        SELECT q.submitting_unit AS unit, q.ingested_at AS submitted_at, q.file_name,
               NULL AS sheet, NULL AS source_row, NULL AS field, q.reason_zh AS problem, NULL AS observed,
               q.reason_rule AS rule_id, q.entity AS table_name, q.region_code
        FROM {RAW}.ingest_log q
        WHERE q.status = 'quarantined' AND q.ingested_at <= (SELECT t FROM as_of)
          AND q.log_id = (SELECT x.log_id FROM {RAW}.ingest_log x
                          WHERE coalesce(x.sha256, 'name:' || x.file_name) = coalesce(q.sha256, 'name:' || q.file_name)
                            AND x.status = 'quarantined' AND x.ingested_at <= (SELECT t FROM as_of)
                          ORDER BY x.ingested_at DESC, x.log_id DESC LIMIT 1)
          AND NOT EXISTS (
              SELECT 1 FROM {RAW}.ingest_log n
              WHERE n.status = 'accepted' AND n.ingested_at >= q.ingested_at
                AND n.ingested_at <= (SELECT t FROM as_of)
                AND starts_with(n.file_name, regexp_replace(q.file_name, '\.[^.]*$', '')))
        """,
        [_timestamp(as_of)],
    )
    frame["severity"] = "fatal"
    frame["action"] = "隔离（整个文件未入库）"
    frame["kind"] = "文件隔离"
    return frame


def value_findings(con: Any, as_of: datetime) -> pd.DataFrame:
    """Optional values ingestion could not read (stored as empty, the row kept): listed as 提示 until a
    later file loads the row's natural key again (a corrected resubmission), like a rejected row."""
    if not has_table(con, VALUE_FINDINGS):
        return pd.DataFrame(columns=COLUMNS)
    frame = uncovered(con, VALUE_FINDINGS, as_of)
    frame["severity"] = "warning"
    frame["action"] = "提示（该值未读取，行已入库）"
    frame["kind"] = "值提示"
    return frame


def ingestion_problems(con: Any, as_of: datetime) -> pd.DataFrame:
    parts = [rejected_rows(con, as_of), quarantined_files(con, as_of), value_findings(con, as_of)]
    frame = pd.concat([p for p in parts if len(p)] or [parts[0]], ignore_index=True)
    frame["unit"] = [
        attribute(u, None, _unit_from_name(f if isinstance(f, str) else None), rc, True, GLOBAL_UNIT,
                  UNKNOWN_UNIT)
        for u, f, rc in zip(frame["unit"], frame["file_name"], frame["region_code"], strict=True)
    ]  # fmt: skip
    frame["rule_title"] = frame["kind"]
    return frame.reindex(columns=COLUMNS)


def open_problems(con: Any, run: dict | None) -> pd.DataFrame:
    """Every open problem as of a run (rule findings of the run + ingestion's), newest submission first."""
    parts = []
    if run is not None:
        parts.append(dq_problems(con, run["run_id"]))
    if has_table(con, "rejected_rows"):
        as_of = run["started_at"] if run is not None else datetime.now()
        parts.append(ingestion_problems(con, as_of))
    parts = [p for p in parts if len(p)]
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    frame = pd.concat(parts, ignore_index=True).astype(object)
    frame = frame.where(frame.notna(), None)
    order = frame.assign(_t=pd.to_datetime(frame["submitted_at"]), _r=pd.to_numeric(frame["source_row"]))
    # sorted down to the message: the engines return rows in different orders, the report must not differ
    keys = ["_t", "file_name", "sheet", "_r", "rule_id", "field", "problem", "observed", "record_key"]
    order = order.sort_values(
        keys, ascending=[False] + [True] * (len(keys) - 1), na_position="last", kind="stable"
    )
    return order.drop(columns=["_t", "_r"]).reset_index(drop=True)
