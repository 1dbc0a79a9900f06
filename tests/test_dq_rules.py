"""One test per catalog rule: a small consistent world that passes every rule, and a change to it that
breaks the rule — the failure must name the offending row (or finding). Real DuckDB (in memory), real
Great Expectations; no pipeline run.
"""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from datetime import date, datetime
from functools import cache

import duckdb
import pandas as pd
import pytest

from xmdw.contract import load_contract
from xmdw.quality.catalog import load_rules
from xmdw.quality.gx_runner import prepare, validate_table
from xmdw.quality.outcomes import TableValidation
from xmdw.warehouse.store import LOG_TABLES, ensure_schema

C = load_contract()
INGESTED = datetime(2025, 1, 10, 9, 30)
RULES = {r.id: r for r in load_rules()}


# ------------------------------------------------------------------------------------------------------
# The world: three projects in two regions, their plans, monthly progress (dispatch months 2..5, one
# statistics row), procedures, deals, funds, indicators, FAI aggregates. (The marts are checked by dbt tests.)
# ------------------------------------------------------------------------------------------------------

P1, P2, P3 = "610728-2023-001", "610728-2024-002", "511902-2022-003"


def _progress(pid, unit, ytds, prior, status=("1",) * 4, phys=(0.3, 0.35, 0.4, 0.45)):
    rows, prev = [], 0
    for i, (month, ytd) in enumerate(zip(range(2, 2 + len(ytds)), ytds, strict=True)):
        rows.append(
            dict(project_id=pid, project_name="项目", year=2024, month=month, basis="DISPATCH",
                 ytd_completed=ytd, since_start_completed=prior + ytd, month_completed=ytd - prev,
                 ytd_funds_in_place=round(ytd * 0.9, 1), physical_progress=phys[i], build_status=status[i],
                 _unit=unit)
        )  # fmt: skip
        prev = ytd
    return rows


def base_world() -> dict[str, list[dict]]:
    return {
        "projects": [
            dict(project_id=P1, national_code="2305-610728-04-01-123456", project_name="镇巴县甲路改建工程",
                 region_code="610728", industry_code="4812", construction_nature="1", investment_type="政府投资",
                 holding_type="1", key_level="县级", stage="开工在建", lead_unit="县交通局",
                 owner_unit="镇巴县交通运输局", total_investment=2000, planned_start_date=date(2023, 3, 1),
                 planned_completion_date=date(2025, 12, 31), actual_start_date=date(2023, 5, 10),
                 in_stats_library=True, stats_entry_date=date(2023, 6, 1), _unit="县发改局"),
            dict(project_id=P2, national_code=None, project_name="镇巴县乙厂房建设项目", region_code="610728",
                 industry_code="C", construction_nature="1", investment_type="企业投资", holding_type="3",
                 key_level=None, stage="储备", lead_unit="县经贸局", owner_unit="镇巴县乙实业有限公司",
                 total_investment=800, planned_start_date=date(2024, 9, 1),
                 planned_completion_date=date(2025, 12, 31), in_stats_library=False, _unit="县发改局"),
            dict(project_id=P3, national_code="2203-511902-04-01-654321", project_name="巴州区丙园区道路工程",
                 region_code="511902", industry_code="4813", construction_nature="2", investment_type="政府投资",
                 holding_type="1", key_level="市级", stage="竣工投产", lead_unit="区住建局",
                 owner_unit="巴中市巴州区住房和城乡建设局", total_investment=3000,
                 planned_start_date=date(2022, 3, 1), planned_completion_date=date(2024, 6, 30),
                 actual_start_date=date(2022, 4, 1), actual_completion_date=date(2024, 3, 20),
                 actual_operation_date=date(2024, 4, 15), in_stats_library=True,
                 stats_entry_date=date(2022, 5, 1), _unit="区发改局"),
        ],
        "annual_plans": [
            dict(project_id=P1, plan_year=2024, plan_version="年初", plan_category="续建",
                 annual_planned_investment=600, _unit="县发改局"),
            dict(project_id=P1, plan_year=2024, plan_version="中期调整", plan_category="续建",
                 annual_planned_investment=650, _unit="县发改局", _file="plans-mid"),
            dict(project_id=P2, plan_year=2024, plan_version="年初", plan_category="新开工",
                 annual_planned_investment=100, planned_start_month=9, _unit="县发改局"),
            dict(project_id=P3, plan_year=2024, plan_version="年初", plan_category="竣工",
                 annual_planned_investment=500, planned_completion_in_year=True, _unit="区发改局"),
        ],
        "monthly_progress": [
            *_progress(P1, "县交通局", [60, 120, 190, 260], 500),
            *_progress(P3, "区住建局", [100, 210, 300, 420], 2400, status=("1", "1", "2", "2"),
                       phys=(0.8, 0.9, 1.0, 1.0)),
            dict(project_id=P1, year=2024, month=3, basis="STATS", ytd_completed=118,
                 since_start_completed=618, _unit="县统计局"),
        ],
        "procedures": [
            dict(project_id=P1, procedure_type="立项", status="已办结", submitted_date=date(2022, 10, 1),
                 approved_date=date(2022, 11, 1), doc_no="镇发改发〔2022〕9号", _unit="县发改局"),
            dict(project_id=P1, procedure_type="施工许可", status="已办结", submitted_date=date(2023, 3, 1),
                 approved_date=date(2023, 4, 20), doc_no="镇住建施〔2023〕1号", _unit="县发改局"),
            dict(project_id=P2, procedure_type="立项", status="办理中", submitted_date=date(2024, 6, 1),
                 _unit="县发改局"),
            dict(project_id=P2, procedure_type="施工许可", status="未启动", _unit="县发改局"),
        ],
        "investment_contracts": [
            dict(contract_id="ZBQY2024-001", project_name="镇巴县丁食品加工项目", region_code="610728",
                 investor="杭州嘉禾食品有限公司", investor_origin="省外", signing_event="投资中国·选择陕西",
                 signed_date=date(2024, 1, 10), contract_amount=5000, land_approved_date=date(2024, 3, 1),
                 land_doc_no="镇自然资供〔2024〕3号", status="落地", funds_in_place=1000, _unit="县经合中心"),
            dict(contract_id="ZBQY2024-002", project_name="镇巴县戊民宿项目", region_code="610728",
                 investor="汉中某旅游公司", investor_origin="县外省内", signed_date=date(2024, 2, 1),
                 contract_amount=3200, status="签约", _unit="县经合中心"),
        ],
        "funds": [
            dict(project_id=P1, fund_type="中央预算内投资", fund_year=2024, batch="第一批", fund_category="项目资金",
                 requested_amount=500, issued_amount=400, issued_date=date(2024, 3, 1), received_amount=400,
                 received_date=date(2024, 3, 20), paid_amount=200, paid_as_of=date(2024, 6, 30),
                 doc_no="陕发改投资〔2024〕1号", _unit="县财政局"),
            dict(project_id="610728-FXM-001", fund_type="省级专项资金", fund_year=2024, fund_category="非项目资金",
                 requested_amount=300, issued_amount=300, received_amount=300, paid_amount=100, _unit="县财政局"),
        ],
        "indicator_reports": [
            dict(region_code="610728", indicator_code="SCI_INCUBATOR_PLATFORM_NEW", indicator_name="新建科创孵化平台",
                 year=2024, month=3, value=1, unit="个", _unit="县科技局"),
        ],
        "fai_aggregates": [
            dict(region_code="610728", indicator_code="FAI_TOTAL", year=2024, month=3, value=100000,
                 yoy_growth=0.05, _unit="县统计局"),
            dict(region_code="610728", indicator_code="FAI_MANUF", year=2024, month=3, value=20000,
                 yoy_growth=0.08, share=0.2, _unit="县统计局"),
        ],
    }  # fmt: skip


# ------------------------------------------------------------------------------------------------------
# Loading a world into DuckDB: lineage, files and the ingestion log are derived from the rows.
# ------------------------------------------------------------------------------------------------------


def _file_key(table: str, row: dict) -> str:
    if "_file" in row:
        return row["_file"]
    if table == "monthly_progress":
        return f"{table}|{row['_unit']}|{row.get('year')}|{row.get('month')}"
    return f"{table}|{row['_unit']}"


@cache
def _shared_connection() -> duckdb.DuckDBPyConnection:
    """One in-memory warehouse with the raw schema; each case loads its world in a transaction."""
    con = duckdb.connect(":memory:")
    ensure_schema(con, C)
    return con


def load(world: dict, log_hook: Callable[[list[dict]], None] | None = None) -> duckdb.DuckDBPyConnection:
    """Load a world into the shared warehouse inside a transaction (the caller rolls it back)."""
    con = _shared_connection()
    con.execute("BEGIN TRANSACTION")
    log = {}
    for table, rows in world.items():
        entity = C.entity(table)
        out, next_row = [], {}
        for row in rows:
            key = _file_key(table, row)
            fid = hashlib.sha256(key.encode()).hexdigest()[:16]
            next_row[fid] = next_row.get(fid, 2) + 1
            unit = row.get("_unit")
            rec = {c.name: row.get(c.name) for c in entity.columns}
            rec |= {
                "_file_id": fid,
                "_source_file": f"{unit}_{entity.zh}_{fid[:4]}.xlsx",
                "_file_sha256": fid * 4,
                "_sheet": row.get("_sheet", "Sheet1"),
                "_source_row": row.get("_source_row", next_row[fid]),
                "_submitting_unit": unit,
                "_money_units": "{}",
                "_extra": "{}",
                "_revision": row.get("_revision", 1),
                "_ingested_at": row.get("_ingested_at", INGESTED),
            }
            out.append(rec)
            entry = log.setdefault(
                fid, {"rows": [], "table": table, "unit": unit, "file": rec["_source_file"]}
            )
            entry["rows"].append(row)
        if out:
            con.register("_w", pd.DataFrame(out).astype(object))
            con.execute(f"INSERT INTO raw.{table} BY NAME SELECT * FROM _w")
            con.unregister("_w")
    log_rows = []
    for fid, e in log.items():
        rows = e["rows"]
        periods = {(r.get("year", r.get("plan_year")), r.get("month")) for r in rows}
        year, month = periods.pop() if len(periods) == 1 else (None, None)
        regions = {r.get("region_code") for r in rows} - {None}
        n = len(rows)
        log_rows.append(
            dict(log_id=fid, run_id="test", file_id=fid, file_name=e["file"], sha256=fid * 4, status="accepted",
                 entity=e["table"], submitting_unit=e["unit"], period_year=year, period_month=month,
                 region_code=regions.pop() if len(regions) == 1 else None, rows_read=n + 2, rows_loaded=n,
                 rows_rejected=0, rows_skipped=2, ingested_at=INGESTED)
        )  # fmt: skip
    if log_hook:
        log_hook(log_rows)
    cols = [n for n, _ in LOG_TABLES["ingest_log"]]
    con.register(
        "_w", pd.DataFrame([{c: r.get(c) for c in cols} for r in log_rows], columns=cols).astype(object)
    )
    con.execute("INSERT INTO raw.ingest_log BY NAME SELECT * FROM _w")
    con.unregister("_w")
    return con


# ------------------------------------------------------------------------------------------------------
# Patch helpers
# ------------------------------------------------------------------------------------------------------


def rows(w: dict, table: str, **match) -> list[dict]:
    return [r for r in w[table] if all(r.get(k) == v for k, v in match.items())]


def one(w: dict, table: str, **match) -> dict:
    found = rows(w, table, **match)
    assert len(found) == 1, (table, match, len(found))
    return found[0]


def drop(w: dict, table: str, **match) -> None:
    w[table] = [r for r in w[table] if not all(r.get(k) == v for k, v in match.items())]


def mark(row: dict, **changes) -> dict:
    """Change a row and give it source row 99 — the row the failure must name."""
    row.update(changes, _source_row=99)
    return row


def add(w: dict, table: str, **fields) -> dict:
    row = {"_source_row": 99, **fields}
    w[table].append(row)
    return row


def prog(pid, month, ytd, unit="县交通局", **extra) -> dict:
    return dict(project_id=pid, year=2024, month=month, basis="DISPATCH", ytd_completed=ytd,
                since_start_completed=ytd, month_completed=None, ytd_funds_in_place=ytd, build_status="1",
                _unit=unit) | extra  # fmt: skip


def project(pid, **extra) -> dict:
    return dict(project_id=pid, project_name=f"项目{pid}", region_code="610728", stage="开工在建",
                total_investment=5000, actual_start_date=date(2023, 1, 1), lead_unit="县交通局",
                _unit="县发改局") | extra  # fmt: skip


# Each case: (rule id, change to the world, what the failure must name). The expectation is
# ("row", 99) for the marked row, or ("key", text) for a record key / finding containing `text`.
ROW99 = ("row", 99)


def _s1(w):
    for i in range(320):
        add(w, "monthly_progress", **prog(f"B{i:03d}", 2, 900 + i, unit="县测试局", _source_row=3 + i))


def _s2(w):
    for i in range(12):
        add(w, "monthly_progress", **prog(f"R{i:02d}", 2, 100 * (i + 1), unit="县整数局", _source_row=3 + i))
    for i in range(40):
        add(w, "monthly_progress", **prog(f"N{i:02d}", 2, 123.4 + i, unit="县其他局", _source_row=3 + i))


def _s3(w):
    for i in range(10):
        pid = f"Q{i:02d}"
        w["projects"].append(project(pid))
        w["annual_plans"].append(dict(project_id=pid, plan_year=2024, plan_version="年初",
                                      annual_planned_investment=1200, _unit="县发改局"))  # fmt: skip
        add(w, "monthly_progress", **prog(pid, 6, 600, _source_row=3 + i))


def _s6(w):
    for i in range(6):
        add(w, "projects", **project(f"S{i}", actual_start_date=date(2024, 3, 25), _source_row=10 + i))


def _s7(w):
    for i in range(5):
        add(w, "investment_contracts", contract_id=f"ZB-R{i}", project_name=f"整亿项目{i}", signed_date=date(2024, 5, 1),
            contract_amount=10000 * (i + 1), _unit="县经合中心", _source_row=10 + i)  # fmt: skip


def _t4(w):
    add(w, "monthly_progress", **prog(P1, 12, 300, year=2023, since_start_completed=480, _file="p2023"))
    one(w, "monthly_progress", project_id=P1, month=3, basis="DISPATCH")["_source_row"] = 99


def _t6(w):
    add(w, "monthly_progress", **prog(P1, 11, 500, since_start_completed=1000, _source_row=50))
    add(w, "monthly_progress", **prog(P1, 12, 900, since_start_completed=1400))


def _t7(w):
    for m, ytd in zip(range(2, 6), (60, 120, 180, 240), strict=True):
        r = one(w, "monthly_progress", project_id=P1, month=m, basis="DISPATCH")
        r.update(ytd_completed=ytd, since_start_completed=500 + ytd, month_completed=60)
    one(w, "monthly_progress", project_id=P1, month=5, basis="DISPATCH")["_source_row"] = 99


def _t8(w):
    p1 = one(w, "projects", project_id=P1)
    old = dict(p1, stage="竣工投产", _revision=1, _file="projects-old", _ingested_at=datetime(2024, 12, 1))
    mark(p1, _revision=2)
    w["projects"].append(old)


def _t10(w):
    drop(w, "monthly_progress", project_id=P1, month=4, basis="DISPATCH")
    w["projects"].append(project("P5"))
    w["monthly_progress"].append(prog("P5", 4, 10))


def _t12(w):
    plan = one(w, "annual_plans", project_id=P1, plan_version="年初")
    w["annual_plans"].append(dict(plan, annual_planned_investment=700, _revision=1, _file="plans-old"))
    mark(plan, _revision=2)


def _f11(w):
    r = one(w, "monthly_progress", project_id=P1, month=3, basis="DISPATCH")
    w["monthly_progress"].append(dict(r, _unit="县发改局", _revision=1, _file="other-unit"))
    mark(r, _revision=2)


def _f9(w):
    """The row says April; the file's title says March."""
    mark(P1m(w, 4), _file="march-file")
    fid = hashlib.sha256(b"march-file").hexdigest()[:16]
    w["_log"] = lambda log: next(r for r in log if r["file_id"] == fid).update(
        period_year=2024, period_month=3
    )


def _f8(w):
    one(w, "projects", project_id=P3).update(
        stage="开工在建", actual_completion_date=None, actual_operation_date=None
    )
    drop(w, "monthly_progress", project_id=P3, month=4)


def _x5(w):
    w["procedures"][1].update(status="未启动", approved_date=None)
    mark(one(w, "projects", project_id=P1))


def _x6(w):
    mark(one(w, "investment_contracts", contract_id="ZBQY2024-001"), project_id=P1)


def _x7(w):
    mark(one(w, "projects", project_id=P3), national_code=None)
    w["funds"].append(dict(project_id=P3, fund_type="超长期特别国债", fund_year=2024, fund_category="项目资金",
                           requested_amount=100, issued_amount=100, _unit="区财政局"))  # fmt: skip


def _x14(w):
    drop(w, "annual_plans", project_id=P1)
    one(w, "monthly_progress", project_id=P1, month=2, basis="DISPATCH")["_source_row"] = 99


def _c9(w):
    add(w, "monthly_progress", **prog(P2, 3, 10, unit="县经贸局"))


def _c10(w):
    mark(one(w, "annual_plans", project_id=P2), annual_planned_investment=900)


def P1m(w, month, basis="DISPATCH"):  # noqa: N802 — reads like the ledger's "P1, month m"
    return one(w, "monthly_progress", project_id=P1, month=month, basis=basis)


def _log_f5(log):
    log.append(dict(log_id="empty", file_id="emptyfile0000000", file_name="县统计局_2024年06月_统计数.xlsx", status="accepted",
                    entity="monthly_progress", submitting_unit="县统计局", period_year=2024, period_month=6,
                    region_code="610728", rows_read=3, rows_loaded=0, rows_rejected=0, rows_skipped=3,
                    ingested_at=INGESTED))  # fmt: skip


def _log_f6(log):
    next(r for r in log if r["entity"] == "projects")["rows_loaded"] += 1


def _log_f7(log):
    next(r for r in log if r["entity"] == "projects")["rows_read"] += 5


CASES: dict[str, tuple] = {  # rule id -> (change, expectation[, table])
    # file
    "F3": (lambda w: add(w, "monthly_progress", **prog(P1, 1, 30)), ROW99),
    "F3-FAI": (lambda w: mark(w["fai_aggregates"][0], month=1), ROW99),
    "F5": (lambda w: w.__setitem__("_log", _log_f5), ("key", "610728 2024年6月")),
    "F6": (lambda w: w.__setitem__("_log", _log_f6), ("key", None)),
    "F7": (lambda w: w.__setitem__("_log", _log_f7), ("key", None)),
    "F8": (_f8, ("key", "511902 2024年4月")),
    "F9": (_f9, ROW99),
    "F10": (lambda w: add(w, "monthly_progress", **prog(P1, 6, 300, year=2025)), ROW99),
    "F11": (_f11, ROW99, "monthly_progress"),
    "A3": (lambda w: mark(one(w, "monthly_progress", basis="STATS"), _unit="县交通局"), ROW99),
    "A3-FAI": (lambda w: mark(w["fai_aggregates"][0], _unit="县发改局"), ROW99),
    # field
    "B-PROG-ID": (lambda w: mark(P1m(w, 3), project_id=None), ROW99),
    "B-PROG-BASIS": (lambda w: mark(P1m(w, 3), basis="其他"), ROW99),
    "B9": (lambda w: mark(P1m(w, 3), build_status="9"), ROW99),
    "B10-PROG-YTD": (lambda w: mark(P1m(w, 3), ytd_completed=-5), ROW99),
    "B10-PROG-SS": (lambda w: mark(P1m(w, 3), since_start_completed=-1), ROW99),
    "B10-PROG-FIP": (lambda w: mark(P1m(w, 3), ytd_funds_in_place=-1), ROW99),
    "B-PROG-PHYS": (lambda w: mark(P1m(w, 3), physical_progress=1.5), ROW99),
    "B1": (lambda w: mark(one(w, "projects", project_id=P1), national_code="镇发改2023-1号"), ROW99),
    "B2": (
        lambda w: mark(one(w, "projects", project_id=P1), national_code="2305-510728-04-01-123456"),
        ROW99,
    ),
    "B4": (
        lambda w: mark(one(w, "projects", project_id=P1), national_code="2313-610728-04-01-123456"),
        ROW99,
    ),
    "B6": (lambda w: mark(one(w, "projects", project_id=P1), industry_code="9999"), ROW99),
    "B7": (lambda w: mark(one(w, "projects", project_id=P1), construction_nature="新造"), ROW99),
    "B8": (lambda w: mark(one(w, "projects", project_id=P1), holding_type="8"), ROW99),
    "B-PROJ-INVTYPE": (lambda w: mark(one(w, "projects", project_id=P1), investment_type="捐赠"), ROW99),
    "B-PROJ-KEYLEVEL": (lambda w: mark(one(w, "projects", project_id=P1), key_level="乡级"), ROW99),
    "B-PROJ-STAGE": (lambda w: mark(one(w, "projects", project_id=P1), stage="规划"), ROW99),
    "B10-PROJ-TOTAL": (lambda w: mark(one(w, "projects", project_id=P1), total_investment=0), ROW99),
    "B11": (lambda w: mark(one(w, "projects", project_id=P1), actual_start_date=date(2030, 1, 1)), ROW99),
    "B12": (lambda w: mark(one(w, "projects", project_id=P2), project_name="待定"), ROW99),
    "B17": (lambda w: mark(one(w, "projects", project_id=P2), region_code="610700"), ROW99),
    "B17-REF": (lambda w: mark(one(w, "projects", project_id=P2), region_code="610799"), ROW99),
    "B18": (lambda w: mark(one(w, "annual_plans", project_id=P2), plan_category="改造"), ROW99),
    "B-PLAN-VERSION": (lambda w: mark(one(w, "annual_plans", project_id=P2), plan_version="年末"), ROW99),
    "B10-PLAN": (lambda w: mark(one(w, "annual_plans", project_id=P2), annual_planned_investment=-1), ROW99),
    "B14": (lambda w: mark(w["procedures"][0], procedure_type="许可"), ROW99),
    "B14-STATUS": (lambda w: mark(w["procedures"][0], status="已批"), ROW99),
    "B15": (lambda w: mark(w["procedures"][0], approved_date=None), ROW99),
    "B15-DOC": (lambda w: mark(w["procedures"][0], doc_no=None), ROW99),
    "B16": (lambda w: mark(w["investment_contracts"][1], status="开工"), ROW99),
    "B-IC-STATUS": (lambda w: mark(w["investment_contracts"][1], status="洽谈"), ROW99),
    "B-IC-ORIGIN": (lambda w: mark(w["investment_contracts"][1], investor_origin="本县"), ROW99),
    "B10-IC": (lambda w: mark(w["investment_contracts"][1], contract_amount=0), ROW99),
    "B13": (lambda w: mark(w["funds"][0], fund_type="奖补"), ROW99),
    "B13-CAT": (lambda w: mark(w["funds"][0], fund_category="其他"), ROW99),
    "B10-FUND": (lambda w: mark(w["funds"][0], paid_amount=-1), ROW99),
    "A2": (lambda w: mark(w["fai_aggregates"][1], yoy_growth=None), ROW99),
    "B-FAI-SHARE": (lambda w: mark(w["fai_aggregates"][1], share=1.2), ROW99),
    "B10-FAI": (lambda w: mark(w["fai_aggregates"][1], value=-5), ROW99),
    "B-IND-UNIT": (lambda w: mark(w["indicator_reports"][0], unit=None), ROW99),
    # record
    "C1": (
        lambda w: mark(
            one(w, "projects", project_id=P2),
            in_stats_library=True,
            total_investment=300,
            stats_entry_date=date(2024, 1, 1),
        ),
        ROW99,
    ),  # fmt: skip
    "C2": (lambda w: mark(one(w, "projects", project_id=P2), key_level="县级", total_investment=300), ROW99),
    "C3": (lambda w: mark(P1m(w, 3), since_start_completed=100), ROW99),
    "C4": (lambda w: mark(P1m(w, 5), since_start_completed=2300), ROW99),
    "C7": (lambda w: mark(one(w, "projects", project_id=P3), actual_start_date=date(2024, 5, 1)), ROW99),
    "C7-OP": (
        lambda w: mark(one(w, "projects", project_id=P3), actual_operation_date=date(2024, 3, 1)),
        ROW99,
    ),
    "C7-PLAN": (
        lambda w: mark(one(w, "projects", project_id=P1), planned_start_date=date(2026, 1, 1)),
        ROW99,
    ),
    "C8": (lambda w: mark(one(w, "projects", project_id=P1), actual_start_date=None), ROW99),
    "C8-DONE": (
        lambda w: mark(
            one(w, "projects", project_id=P3), actual_completion_date=None, actual_operation_date=None
        ),
        ROW99,
    ),  # fmt: skip
    "C8-EARLY": (
        lambda w: mark(one(w, "projects", project_id=P2), actual_start_date=date(2024, 5, 1)),
        ROW99,
    ),
    "C8-LIB": (lambda w: mark(one(w, "projects", project_id=P1), stats_entry_date=None), ROW99),
    "C9": (_c9, ROW99),
    "C10": (_c10, ROW99),
    "C11": (lambda w: mark(one(w, "projects", project_id=P3), holding_type="3"), ROW99),
    "C12": (lambda w: mark(one(w, "projects", project_id=P1), holding_type="3"), ROW99),
    "C14": (lambda w: mark(w["funds"][0], received_amount=500, paid_amount=100), ROW99),
    "C14-PAID": (lambda w: mark(w["funds"][0], paid_amount=450), ROW99),
    "C15": (lambda w: mark(w["funds"][0], issued_amount=600), ROW99),
    "C18": (lambda w: mark(w["investment_contracts"][0], land_approved_date=date(2024, 1, 1)), ROW99),
    "C19": (lambda w: mark(w["investment_contracts"][0], funds_in_place=6000), ROW99),
    "C20": (lambda w: mark(w["procedures"][1], approved_date=date(2023, 2, 1)), ROW99),
    "C21": (lambda w: mark(w["funds"][0], received_date=date(2024, 2, 1)), ROW99),
    "C22": (lambda w: mark(P1m(w, 3), month_completed=200), ROW99),
    "C23": (lambda w: mark(one(w, "monthly_progress", project_id=P3, month=5), physical_progress=0.9), ROW99),
    "C24": (lambda w: mark(P1m(w, 4), build_status="3"), ROW99),
    # period
    "T1": (lambda w: mark(P1m(w, 5), ytd_completed=180), ROW99),
    "T2": (lambda w: mark(P1m(w, 5), since_start_completed=600), ROW99),
    "T3": (lambda w: mark(P1m(w, 4), since_start_completed=700), ROW99),
    "T4": (_t4, ROW99),
    "T5": (lambda w: mark(P1m(w, 5), ytd_completed=590, since_start_completed=1090), ROW99),
    "T6": (_t6, ("key", f"{P1} / 2024 / 12")),
    "T7": (_t7, ROW99),
    "T8": (_t8, ROW99),
    "T10": (_t10, ("key", f"{P1} 镇巴县甲路改建工程 2024年4月")),
    "T12": (_t12, ROW99),
    "T13": (lambda w: mark(P1m(w, 3), month_completed=10), ROW99),
    # cross
    "X1": (lambda w: add(w, "monthly_progress", **prog("NOPE-001", 3, 10)), ROW99),
    "X1-FUND": (lambda w: mark(w["funds"][0], project_id="610728-2099-999"), ROW99),
    "X1-IC": (lambda w: mark(w["investment_contracts"][1], project_id="NOPE"), ROW99),
    "X2": (lambda w: add(w, "monthly_progress", **prog(P2, 3, 5, unit="县统计局", basis="STATS")), ROW99),
    "X5": (_x5, ROW99),
    "X6": (_x6, ROW99),
    "X7": (_x7, ROW99),
    "X10": (
        lambda w: mark(one(w, "projects", project_id=P3), national_code="2305-610728-04-01-123456"),
        ROW99,
    ),
    "X10-NAME": (lambda w: add(w, "projects", **project("P5", project_name="镇巴县甲路改建工程")), ROW99),
    "X12": (lambda w: w["fai_aggregates"][0].update(value=100), ("key", "610728 2024年3月")),
    "X13": (
        lambda w: one(w, "monthly_progress", basis="STATS").update(ytd_completed=50) or mark(P1m(w, 3)),
        ROW99,
    ),
    "X14": (_x14, ROW99),
    "X15": (lambda w: mark(w["indicator_reports"][0], indicator_code="UNKNOWN_X"), ROW99),
    # stats
    "S1": (_s1, ("key", "县测试局 2024年")),
    "S2": (_s2, ("key", "县整数局 2024年")),
    "S3": (_s3, ("key", "610728 2024年6月")),
    "S5": (lambda w: [P1m(w, m).update(ytd_funds_in_place=0) for m in (2, 3, 4)] and mark(P1m(w, 4)), ROW99),
    "S6": (_s6, ("key", "610728 2024年第1季度")),
    "S7": (_s7, ("key", "县经合中心")),
}


def _world() -> dict:
    return copy.deepcopy(base_world())


def _validate(w: dict, rule_ids: list[str] | None, tables: list[str]) -> dict:
    hook = w.pop("_log", None)
    con = _shared_connection()
    try:
        load(w, hook)
        prepare(con)
        outcomes = {}
        for t in tables:
            rules = [RULES[i] for i in rule_ids if t in RULES[i].tables] if rule_ids else None
            for o in validate_table(con, t, rules=rules, prepared=True).outcomes:
                outcomes.setdefault(o.rule.id, []).append((t, o))
        return outcomes
    finally:
        con.execute("ROLLBACK")


@pytest.fixture(scope="module")
def clean_outcomes() -> dict:
    tables = sorted({t for r in RULES.values() for t in r.tables})
    return _validate(_world(), None, tables)


def test_every_rule_has_a_breaking_case():
    assert sorted(CASES) == sorted(RULES)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_rule_passes_on_the_clean_world(rule_id, clean_outcomes):
    results = clean_outcomes[rule_id]
    assert {t for t, _ in results} == set(RULES[rule_id].tables)
    bad = [(t, [vars(f) for f in o.findings][:3]) for t, o in results if not o.success]
    assert bad == []


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_rule_breaks_and_names_the_row(rule_id):
    rule = RULES[rule_id]
    change, (kind, expected), *table = CASES[rule_id]
    w = _world()
    change(w)
    table = table[0] if table else rule.tables[0]
    outcome = _validate(w, [rule_id], [table])[rule_id][0][1]
    assert not outcome.success, f"{rule_id} did not fail"
    assert outcome.findings and outcome.unexpected_count == len(outcome.findings)
    if kind == "row":
        assert expected in [f.source_row for f in outcome.findings], [vars(f) for f in outcome.findings]
        f = next(f for f in outcome.findings if f.source_row == expected)
        assert f.file_id and f.sheet and f.submitting_unit
    elif expected is not None:
        texts = [" ".join(str(v) for v in vars(f).values() if v is not None) for f in outcome.findings]
        assert any(expected in t for t in texts), texts
    held = TableValidation(table, 0, [outcome]).excluded_rows()
    if rule.on_fail == "report":
        assert held == [] and not rule.is_fatal
    elif rule.on_fail == "hold_rows":
        assert {r[:3] for r in held} == {(f.file_id, f.sheet, f.source_row) for f in outcome.findings}
    else:  # hold_file: a fatal table finding holds back its file's rows (F5's empty file has none)
        assert rule.on_fail == "hold_file"
        assert outcome.held_files == sorted({f.file_id for f in outcome.findings})
        assert bool(held) == (rule_id in ("F6", "F7")), held
    # issue 10: no rule on the units' ledgers blocks the whole build (a region never waits for another)
    assert not outcome.blocking


def test_benford_reports_small_samples_as_info_not_as_a_warning(clean_outcomes):
    (_, s1), *_ = clean_outcomes["S1"]
    assert s1.success and s1.notes
    assert all("样本不足" in n.note for n in s1.notes)
