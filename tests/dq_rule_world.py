"""The small consistent world of tests/test_dq_rules.py (three projects in two regions, their plans,
progress, procedures, deals, funds, indicators, FAI aggregates), the helpers that change it, and its loading into
an in-memory DuckDB with the raw schema. Every catalog rule passes on it; each test breaks one rule."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date, datetime
from functools import cache

import duckdb
import pandas as pd

from xmdw.contract import load_contract
from xmdw.quality.catalog import load_rules
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
