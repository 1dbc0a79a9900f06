"""The 发改局's project ledgers of a county region: 项目基本信息台账 (the project register), the 年度投资计划
with its 中期调整, and the 前期手续办理台账 (approvals)."""

from __future__ import annotations

import random
from datetime import datetime

from xmdw_demo import catalog as C
from xmdw_demo.county_writer import CountyWriter, cols_header
from xmdw_demo.personal import fake_contact, fake_name
from xmdw_demo.summary import DQ_FATAL, DQ_WARNING
from xmdw_demo.unit_formats import Fmt
from xmdw_demo.world_model import Project, RegionWorld
from xmdw_demo.writer import Col, fmt_num

PROJECT_FIELDS = [
    "project_id", "national_code", "project_name", "region_code", "town", "industry_code",
    "construction_nature", "investment_type", "holding_type", "key_level", "stage", "lead_unit",
    "owner_unit", "leader", "total_investment", "planned_start_date", "planned_completion_date",
    "actual_start_date", "actual_completion_date", "actual_operation_date", "in_stats_library",
    "stats_entry_date", "is_industrial", "is_new_capacity", "construction_content",
    "contact_person", "contact_phone", "legal_person_id", "filled_by",
]  # fmt: skip
# How units write the year-end 四个一批 stage.
STAGE_LABELS = {"开工在建": ["开工在建", "在建", "开工（在建）"], "竣工投产": ["竣工投产", "竣工"],
                "储备": ["储备", "储备项目"], "谋划": ["谋划", "谋划项目"]}  # fmt: skip


def _stage_order(p: Project) -> int:
    return {"开工在建": 0, "竣工投产": 1, "储备": 2, "谋划": 3}.get(p.stage, 4)


def write_projects(cw: CountyWriter, w: RegionWorld) -> None:
    """One register per region, as at year end. 巴州区 states 计划总投资 in 亿元 in the header."""
    y = cw.year
    dev = w.unit("发改局")
    unit_cols: tuple = ("total_investment:亿元",) if cw.bad and w.code == C.BZ else ()
    f = cw.fmt(w.code, dev, "projects")
    cols = cw.cols("projects", PROJECT_FIELDS, f, unit_cols)
    r = cw.rng("projects", w.code)
    rows = []
    order = sorted(w.projects, key=lambda p: (_stage_order(p), p.key_level or "Z", p.pid))
    # Personal fields draw from their own stream: adding them shifted no other value of the demo.
    pr = cw.rng("personal", w.code)
    clerk = fake_name(pr)
    for p in order:
        row = _project_row(p, w, r)
        row.update(_personal_fields(p, w, pr, clerk))
        if cw.bad and "tiny" in p.flags:
            row["__inject__"] = [dict(kind="stats_library_below_threshold", expect=DQ_WARNING,
                                      column="@in_stats_library", entity="projects", project_id=p.pid,
                                      rule="入库项目计划总投资应≥500万元（先入库，后有数）")]  # fmt: skip
        rows.append(row)
    if cw.bad and w.code == C.BZ:
        target = next(row for row in rows if row["stage"] in ("谋划", "谋划项目"))
        target["construction_nature"] = "新造"
        target.setdefault("__inject__", []).append(
            dict(kind="unknown_code", expect=DQ_FATAL, column="@construction_nature", entity="projects",
                 project_id=target["project_id"], rule="建设性质不在代码表（construction_nature）中")
        )  # fmt: skip
    if unit_cols:
        for row in rows[:3]:
            wan = float(row["total_investment"])
            row["__check__"] = [dict(column=cols_header(cols, "total_investment"), declared_unit="亿元",
                                     written=fmt_num(wan / 10000, 6), expected_wanyuan=fmt_num(wan, 2))]  # fmt: skip
    title = f"{w.name}重点项目基本信息台账（截至{y}年12月底）"
    st = cw.style(f, title, dev, ("projects", w.code), w.code)
    cw.write("projects", w.code, f"{dev}_项目基本信息台账", cols, rows, st, datetime(y + 1, 1, 8, 9, 30))


def _project_row(p: Project, w: RegionWorld, r: random.Random) -> dict:
    """A project as the register lists it (levels, holdings and stages in the labels units use)."""
    level = p.key_level
    if level == "县级" and w.code == C.BZ:
        level = r.choice(["区级", "区重点", "县级"])
    return {
        "project_id": p.pid,
        "national_code": p.national_code,
        "project_name": p.name,
        "region_code": w.code,
        "town": p.town,
        "industry_code": p.industry,
        "construction_nature": p.nature,
        "investment_type": p.inv_type,
        "holding_type": p.holding
        if r.random() < 0.8
        else {"国有控股": "国有", "私人控股": "民营"}[p.holding],
        "key_level": level,
        "stage": r.choice(STAGE_LABELS[p.stage]),
        "lead_unit": p.unit,
        "owner_unit": p.owner,
        "leader": p.leader or None,
        "total_investment": p.total,
        "planned_start_date": p.planned_start,
        "planned_completion_date": p.planned_completion,
        "actual_start_date": p.actual_start,
        "actual_completion_date": p.actual_completion,
        "actual_operation_date": p.actual_operation,
        "in_stats_library": p.in_stats,
        "stats_entry_date": p.stats_entry,
        "is_industrial": p.industrial,
        "is_new_capacity": p.new_capacity,
        "construction_content": p.content,
    }


def _personal_fields(p: Project, w: RegionWorld, r: random.Random, clerk: str) -> dict:
    """联系人, 联系电话 and 法人身份证号 of the project owner, and the clerk who filled in the register."""
    c = fake_contact(r, w.code, government_owner=p.inv_type == "政府投资")
    return {
        "contact_person": c.contact_person,
        "contact_phone": c.contact_phone,
        "legal_person_id": c.legal_person_id,
        "filled_by": clerk,
    }


def _plan_row(p: Project, y: int, annual: float, cat: str | None, version: str = "年初") -> dict:
    return {
        "project_id": p.pid,
        "project_name": p.name,
        "plan_year": y,
        "plan_version": version,
        "plan_category": cat,
        "x:total": p.total,
        "annual_planned_investment": annual,
        "planned_start_month": p.planned_start.month if cat == "新开工" and p.planned_start else None,
        "planned_completion_in_year": bool(p.planned_completion and p.planned_completion.year == y),
        "x:lead": p.unit,
    }


def write_annual_plans(cw: CountyWriter, w: RegionWorld) -> None:
    """The 年初 plan in February; the 中期调整 in July (only the changed and the added projects)."""
    dev = w.unit("发改局")
    force = (
        dict(title=True, unit_line="万元", seq=True, total_row=True, notes=True)
        if cw.bad and w.code == C.ZB
        else {}
    )
    f = cw.fmt(w.code, dev, "annual_plans", **force)
    _write_initial_plan(cw, w, dev, f)
    _write_mid_year_plan(cw, w, dev, f)


def _write_initial_plan(cw: CountyWriter, w: RegionWorld, dev: str, f: Fmt) -> None:
    y = cw.year
    fields = ["project_id", "project_name", "plan_year"]
    fields += ["plan_category"] if f.title else ["plan_version", "plan_category"]
    if f.extras:
        fields += ["x:total"]
    fields += ["annual_planned_investment", "planned_start_month", "planned_completion_in_year"]
    if f.extras:
        fields += ["x:lead"]
    cols = cw.cols("annual_plans", fields, f)
    planned = [p for p in w.projects if p.annual > 0]
    planned.sort(
        key=lambda p: (
            p.key_level or "Z",
            {"新开工": 0, "续建": 1, "竣工": 2}[p.category or "续建"],
            p.pid,
        )
    )
    rows = [_plan_row(p, y, p.annual, p.category) for p in planned]
    title = f"{w.name}{y}年重点项目年度投资计划"
    st = cw.style(f, title, dev, ("plan", w.code), w.code)
    cw.write("annual_plans", w.code, f"{dev}_{y}年_年度投资计划", cols, rows, st, datetime(y, 2, 20, 10))


def _write_mid_year_plan(cw: CountyWriter, w: RegionWorld, dev: str, f: Fmt) -> None:
    y = cw.year
    mid = [p for p in w.projects if p.mid_plan is not None]
    mid.sort(key=lambda p: (p.added_mid_year, p.pid))
    fields = ["project_id", "project_name", "plan_year"] + ([] if f.title else ["plan_version"])
    fields += [
        "plan_category",
        "x:orig_plan",
        "annual_planned_investment",
        "planned_start_month",
        "x:remark",
    ]
    cols: list[Col] = cw.cols("annual_plans", fields, f)
    rows = []
    for p in mid:
        rec = _plan_row(p, y, p.mid_plan or 0.0, p.mid_category or p.category, "中期调整")
        rec["x:orig_plan"] = p.annual or None
        rec["x:remark"] = (
            "新增项目" if p.added_mid_year else ("调减" if (p.mid_plan or 0) < p.annual else "调增")
        )
        rows.append(rec)
    title = f"{w.name}{y}年重点项目年度投资计划（中期调整）"
    st = cw.style(f, title, dev, ("plan-mid", w.code), w.code)  # title or 计划版本 column says 中期调整
    name = f"{dev}_{y}年_年度投资计划_中期调整"
    cw.write("annual_plans", w.code, name, cols, rows, st, datetime(y, 7, 25, 16))


def write_procedures(cw: CountyWriter, w: RegionWorld) -> None:
    dev = w.unit("发改局")
    f = cw.fmt(w.code, dev, "procedures")
    fields = ["project_id", "project_name", "procedure_type", "is_required", "status", "submitted_date",
              "approved_date", "doc_no", "approving_dept"]  # fmt: skip
    cols = cw.cols("procedures", fields, f)
    r = cw.rng("procs", w.code)
    rows = []
    for pr in w.procedures:
        label = pr.ptype if r.random() < 0.5 else C.PROC_LABELS[pr.ptype]
        rows.append({
            "project_id": pr.pid, "project_name": pr.name, "procedure_type": label,
            "is_required": pr.required, "status": pr.status, "submitted_date": pr.submitted,
            "approved_date": pr.approved, "doc_no": pr.doc_no, "approving_dept": pr.dept,
        })  # fmt: skip
    title = f"{w.name}{cw.year}年新开工及储备项目前期手续办理台账"
    st = cw.style(f, title, dev, ("procs", w.code), w.code)
    when = datetime(cw.year + 1, 1, 8, 15)
    cw.write("procedures", w.code, f"{dev}_前期手续办理台账", cols, rows, st, when)
