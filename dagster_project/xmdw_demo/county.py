"""County scale: the ledgers 镇巴县 and 巴州区 units would really mail in for one plan year.

Each unit keeps its own ledger format all year (drawn once per unit and ledger, so a unit that puts a
title and a 合计 row on its March ledger does so every month); `imperfection_rate` is the chance of
each real-world quirk in a format. A fixed list of deliberately bad things is injected when the rate
is above zero and recorded in the summary.
"""

from __future__ import annotations

import calendar
import csv
import os
import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path

from xmdw.contract import load_contract
from xmdw.core.paths import SEEDS_DIR
from xmdw_demo import catalog as C
from xmdw_demo.summary import (
    DQ_FATAL,
    DQ_WARNING,
    QUARANTINED_FILE,
    REJECTED_ROW,
    REVISION,
    VALUE_FINDING,
    DemoSummary,
)
from xmdw_demo.world import MONTHS, Project, RegionWorld, build_bazhou, build_zhenba
from xmdw_demo.writer import Col, Style, Written, fmt_num, write_docx, write_table

# Header aliases units really use, per entity and column (all accepted by the contract).
ALIASES: dict[str, dict[str, list[str]]] = {
    "projects": {
        "project_id": ["项目库编号"],
        "project_name": ["项目全称"],
        "national_code": ["投资项目统一代码", "统一代码"],
        "town": ["建设地点", "所在镇（街道）"],
        "industry_code": ["国民经济行业代码"],
        "holding_type": ["经济类型", "控股类型"],
        "key_level": ["项目级别"],
        "stage": ["项目阶段", "四个一批类别"],
        "lead_unit": ["责任单位", "行业主管部门"],
        "owner_unit": ["建设单位", "项目法人"],
        "leader": ["包抓县级领导"],
        "total_investment": ["计划总投资", "项目总投资"],
        "planned_completion_date": ["计划完工时间"],
        "in_stats_library": ["是否纳统"],
        "construction_content": ["建设规模及内容", "主要建设内容"],
    },
    "annual_plans": {
        "project_name": ["项目全称"],
        "plan_category": ["建设类别"],
        "annual_planned_investment": ["本年计划投资", "年度投资计划", "年计划投资"],
        "planned_start_month": ["开工月份"],
        "planned_completion_in_year": ["年内竣工"],
    },
    "monthly_progress": {
        "project_name": ["项目全称"],
        "ytd_completed": ["本年累计完成投资", "1至本月累计完成投资", "年初至本月累计完成投资"],
        "since_start_completed": ["自开工累计完成投资", "开工以来累计完成投资"],
        "month_completed": ["当月完成投资"],
        "ytd_funds_in_place": ["本年资金到位"],
        "physical_progress": ["工程进度"],
        "progress_note": ["工程形象进度", "进展情况"],
        "build_status": ["项目状态"],
        "problems": ["存在的问题", "困难问题"],
        "month": ["截止月份"],
    },
    "procedures": {
        "procedure_type": ["手续名称", "审批事项"],
        "status": ["办理情况"],
        "submitted_date": ["申请时间"],
        "approved_date": ["批复时间", "取得时间"],
        "doc_no": ["批复文号"],
        "approving_dept": ["审批单位"],
    },
    "investment_contracts": {
        "contract_id": ["合同编号"],
        "investor": ["签约企业", "投资主体"],
        "investor_origin": ["客商来源"],
        "signed_date": ["签约日期"],
        "contract_amount": ["签约总投资", "协议投资额"],
        "land_approved_date": ["用地批复时间", "供地时间"],
        "status": ["推进情况"],
        "funds_in_place": ["实际到位资金"],
    },
    "funds": {
        "fund_type": ["资金类别", "资金渠道"],
        "fund_year": ["下达年度"],
        "batch": ["下达批次"],
        "requested_amount": ["申报金额", "争取金额"],
        "issued_amount": ["批复金额"],
        "received_amount": ["到账金额"],
        "paid_amount": ["累计支付", "已支出金额"],
        "paid_as_of": ["支付统计截止日期"],
        "doc_no": ["下达文号"],
    },
    "indicator_reports": {"value": ["完成数", "累计完成"]},
    "fai_aggregates": {
        "value": ["绝对额"],
        "yoy_growth": ["比上年同期增长", "增速"],
        "share": ["比重", "占全部投资比重"],
    },
}

# Columns the contract does not know that units add (kept in _extra by the ingestion).
EXTRAS = {
    "x:annual": ("年度计划投资", "money"),
    "x:total": ("总投资", "money"),
    "x:rate": ("投资完成率", "ratio"),
    "x:orig_plan": ("原计划投资", "money"),
    "x:lead": ("牵头单位", "text"),
    "x:target": ("目标值", "number"),
    "x:remark": ("备注", "text"),
}

# Two-level headers: parent text -> child columns.
GROUPS = {
    "monthly_progress": {"投资完成情况": ["month_completed", "ytd_completed", "since_start_completed"]},
    "projects": {"计划时间": ["planned_start_date", "planned_completion_date"]},
    "funds": {"下达情况": ["issued_amount", "issued_date"], "到位情况": ["received_amount", "received_date"]},
}

FAI = [
    # code, name, share of FAI_TOTAL, target growth
    ("FAI_TOTAL", "固定资产投资（不含农户）", 1.0, 0.085),
    ("FAI_MANUF", "制造业投资", 0.19, 0.08),
    ("FAI_HITECH", "高技术产业投资", 0.05, 0.10),
    ("FAI_CULTURE_ENT", "文化和娱乐业投资", 0.025, 0.07),
    ("FAI_RETAIL_WHOLESALE", "批发和零售业投资", 0.02, 0.06),
    ("FAI_HOSPITALITY", "住宿和餐饮业投资", 0.012, 0.06),
    ("FAI_PRIVATE", "民间投资", 0.61, 0.07),
    ("FAI_INDUSTRIAL", "产业投资", 0.62, 0.09),
    ("FAI_SOCIAL_EX_RE", "社会资本投资（不含房地产开发）", 0.74, 0.08),
    ("FAI_INDUSTRY_TECH", "工业和技改投资", 0.27, 0.10),
]
FAI_CUM = {2: 0.08, 3: 0.17, 4: 0.25, 5: 0.34, 6: 0.46, 7: 0.54, 8: 0.62, 9: 0.72, 10: 0.81, 11: 0.9, 12: 1.0}
COUNT_UNITS = {"个", "家", "座", "口", "条", "处", "项", "人", "户", "头", "G"}


@dataclass
class Fmt:
    """A unit's ledger format for one entity, kept all year."""

    title: bool = False
    unit_line: str | None = None
    units_row: bool = False
    seq: bool = False
    total_row: bool = False
    total_first: bool = False
    blank_rows: bool = False
    notes: bool = False
    num_text: bool = False
    fullwidth: bool = False
    pct_text: bool = False
    pct_header: bool = False
    date_style: str = "excel"
    month_only_planned: bool = False
    period_text: bool = False
    period_in_title_only: bool = False
    two_level: bool = False
    money_header: str | None = None  # unit written into money headers: 万元 | 亿元
    headers: dict[str, str] = field(default_factory=dict)
    extras: bool = False
    extra_sheet: bool = False
    sheet_name: str = "Sheet1"
    csv: str | None = None  # None = xlsx; else the CSV encoding


class CountyWriter:
    def __init__(self, out_dir: Path, seed: int, rate: float, year: int, summary: DemoSummary):
        self.out = out_dir
        self.seed = seed
        self.rate = rate
        self.year = year
        self.s = summary
        self.contract = load_contract()
        self.created = datetime(year, 1, 1)
        self.fmts: dict[tuple, Fmt] = {}
        self.events: list[tuple[datetime, int, Path]] = []
        self.bad = rate > 0

    # -- randomness ----------------------------------------------------------------------------------
    def rng(self, *parts: object) -> random.Random:
        return random.Random(":".join(str(p) for p in (self.seed, *parts)))

    def p(self, r: random.Random, factor: float = 1.0) -> bool:
        return r.random() < min(1.0, self.rate * factor)

    def fmt(self, region: str, unit: str, entity: str, **force: object) -> Fmt:
        key = (region, unit, entity)
        if key not in self.fmts:
            r = self.rng("fmt", *key)
            f = Fmt()
            f.title = self.p(r, 2.5)
            f.unit_line = "万元" if self.p(r, 1.2) else None
            f.units_row = self.p(r)
            f.seq = self.p(r, 3)
            f.total_row = self.p(r) and entity in ("projects", "annual_plans", "monthly_progress", "funds")
            f.total_first = f.total_row and r.random() < 0.3
            f.blank_rows = self.p(r, 0.7)
            f.notes = self.p(r, 1.5)
            f.num_text = self.p(r)
            f.fullwidth = self.p(r, 0.5)
            f.pct_header = self.p(r, 1.5)
            f.pct_text = not f.pct_header and self.p(r)
            if self.p(r, 2):
                f.date_style = r.choice(["iso", "slash", "dot", "cn", "compact", "serial", "mixed"])
            f.month_only_planned = self.p(r, 0.5)
            f.period_text = self.p(r, 0.7)
            f.period_in_title_only = self.p(r) and entity in ("monthly_progress", "indicator_reports")
            f.two_level = self.p(r, 0.8) and entity in GROUPS
            f.money_header = "万元" if self.p(r, 1.5) else None
            if self.p(r, 2):
                f.headers = {k: r.choice(v) for k, v in ALIASES.get(entity, {}).items() if r.random() < 0.5}
            f.extras = self.p(r, 2)
            f.extra_sheet = self.p(r, 0.4)
            if self.p(r):
                f.sheet_name = r.choice(["Sheet1", "台账", "汇总表", f"{self.year}年"])
            for k, v in force.items():
                setattr(f, k, v)
            if f.period_in_title_only:
                f.title = True
            if f.csv:
                f.two_level = False
            self.fmts[key] = f
        return self.fmts[key]

    # -- columns -------------------------------------------------------------------------------------
    def cols(self, entity: str, fields: list[str], f: Fmt, unit_cols: tuple[str, ...] = ()) -> list[Col]:
        ent = self.contract.entity(entity)
        groups = GROUPS.get(entity, {}) if f.two_level else {}
        parent_of = {c: p for p, cs in groups.items() for c in cs}
        declared = dict(uc.partition(":")[::2] for uc in unit_cols)
        out = [Col("seq", "序号", "seq")] if f.seq else []
        for name in fields:
            if name.startswith("x:"):
                label, typ = EXTRAS[name]
                out.append(Col(name, label, typ))
                continue
            c = ent.column(name)
            header = f.headers.get(name, c.zh)
            unit = None
            if c.type in ("money", "usd"):
                if name in declared or (f.money_header and c.type == "money"):
                    unit = declared.get(name) or f.money_header
                    header = f"{header}（{unit}）"
            elif c.type == "ratio" and f.pct_header:
                unit = "%"
                header = f"{header}（%）"
            parent = None
            if name in parent_of:
                parent = parent_of[name]
                if c.type == "money" and unit is None:
                    unit = f.unit_line or "万元"
                    parent = f"{parent}（{unit}）"
                    header = f.headers.get(name, c.zh)
            out.append(Col(name, header, c.type, unit, parent))
        # a group whose children are not adjacent or only one present falls back to one-level headers
        for p in {c.parent for c in out if c.parent}:
            idx = [i for i, c in enumerate(out) if c.parent == p]
            if len(idx) < 2 or idx != list(range(idx[0], idx[-1] + 1)):
                for i in idx:
                    out[i] = replace(out[i], parent=None)
        return out

    # -- writing ---------------------------------------------------------------------------------------
    def style(self, f: Fmt, title: str, unit: str, key: tuple, region: str) -> Style:
        r = self.rng("style", *key)
        notes = []
        if f.notes:
            phone = ("0916-" if region == C.ZB else "0827-") + f"{r.randint(3100000, 3999999)}"
            who = r.choice(["王XX", "李XX", "张XX", "刘XX", "陈XX", "杨XX"])
            if r.random() < 0.5:
                notes = [f"填报单位：{unit}\t填报人：{who}\t联系电话：{phone}"]
            else:
                notes = [
                    f"填报单位：{unit}    填报人：{who}    联系电话：{phone}",
                    f"备注：数据截至报告期末，{who}负责解释",
                ]
        extra_sheet = None
        if f.extra_sheet:
            extra_sheet = [
                "填表说明：",
                "1. 金额单位为万元，保留两位小数；",
                "2. 项目编号以县项目库编号为准；",
            ]
        return Style(
            title=[title] if f.title else [],
            unit_line=f.unit_line,
            units_row=f.units_row,
            total_row=f.total_row,
            total_first=f.total_first,
            blank_rows=f.blank_rows and r.random() < 0.6,
            notes=notes,
            num_text=f.num_text,
            fullwidth=f.fullwidth,
            pct_text=f.pct_text,
            date_style=f.date_style if (f.csv is None or f.date_style not in ("excel",)) else "iso",
            month_only_planned=f.month_only_planned,
            period_text=f.period_text,
            sheet_name=f.sheet_name,
            extra_sheet=extra_sheet,
        )

    def write(
        self,
        entity: str,
        region: str,
        name: str,
        cols: list[Col],
        rows: list[dict],
        style: Style,
        when: datetime,
        encoding: str | None = None,
        count_as: str | None = None,
    ) -> Written:
        folder = self.out / C.REGION_NAMES[region]
        suffix = ".xlsx" if encoding is None else ".csv"
        path = folder / f"{name}{suffix}"
        written = write_table(
            path, cols, rows, style, self.rng("cells", name), self.created, encoding or "utf-8"
        )
        self.s.add_file(count_as or entity, 0 if count_as else len(rows), written.size)
        self.s.files.append(
            {"file": self.rel(path), "entity": count_as or entity, "rows": 0 if count_as else len(rows)}
        )
        self.events.append((when, len(self.events), path))
        rel = self.rel(path)
        headers = {c.name: c.header for c in cols}
        for row, excel_row in zip(rows, written.data_rows, strict=True):
            for mark in row.get("__inject__", []):
                mark = dict(mark)
                col = mark.get("column")
                if isinstance(col, str) and col.startswith("@"):
                    mark["column"] = headers.get(col[1:], col[1:])
                self.s.inject(sheet=written.sheet, row=excel_row, file=rel, **mark)
            for check in row.get("__check__", []):
                self.s.unit_checks.append({"file": rel, "sheet": written.sheet, "row": excel_row, **check})
        return written

    def rel(self, path: Path) -> str:
        return path.relative_to(self.out).as_posix()

    def finish(self) -> None:
        """File times in submission order: a resubmission is always later than what it corrects."""
        last = 0
        for when, _, path in sorted(self.events, key=lambda e: (e[0], e[1])):
            ts = max(calendar.timegm(when.timetuple()), last + 1)
            os.utime(path, (ts, ts))
            last = ts

    # ================================================================================================
    def run(self) -> None:
        clean = not self.bad
        worlds = [
            build_zhenba(self.year, self.rng("world", C.ZB), clean),
            build_bazhou(self.year, self.rng("world", C.BZ), clean),
        ]
        for w in worlds:
            self.s.regions.append(w.code)
            self.s.region_names[w.code] = w.name
            self.projects(w)
            self.annual_plans(w)
            self.progress(w)
            self.procedures(w)
            self.contracts(w)
            self.funds(w)
            self.indicators(w)
            self.fai(w)
        if self.bad:
            self.non_ledgers()
        self.finish()

    # -- projects ----------------------------------------------------------------------------------------
    def projects(self, w: RegionWorld) -> None:
        y = self.year
        dev = w.unit("发改局")
        unit_cols: tuple = ("total_investment:亿元",) if self.bad and w.code == C.BZ else ()
        f = self.fmt(w.code, dev, "projects")
        fields = [
            "project_id", "national_code", "project_name", "region_code", "town", "industry_code",
            "construction_nature", "investment_type", "holding_type", "key_level", "stage", "lead_unit",
            "owner_unit", "leader", "total_investment", "planned_start_date", "planned_completion_date",
            "actual_start_date", "actual_completion_date", "actual_operation_date", "in_stats_library",
            "stats_entry_date", "is_industrial", "is_new_capacity", "construction_content",
        ]  # fmt: skip
        cols = self.cols("projects", fields, f, unit_cols)
        r = self.rng("projects", w.code)
        stage_labels = {"开工在建": ["开工在建", "在建", "开工（在建）"], "竣工投产": ["竣工投产", "竣工"],
                        "储备": ["储备", "储备项目"], "谋划": ["谋划", "谋划项目"]}  # fmt: skip
        rows = []
        order = sorted(w.projects, key=lambda p: (_stage_order(p), p.key_level or "Z", p.pid))
        for p in order:
            level = p.key_level
            if level == "县级" and w.code == C.BZ:
                level = r.choice(["区级", "区重点", "县级"])
            row = {
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
                "stage": r.choice(stage_labels[p.stage]),
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
            if self.bad and "tiny" in p.flags:
                row["__inject__"] = [dict(kind="stats_library_below_threshold", expect=DQ_WARNING,
                                          column="@in_stats_library", entity="projects", project_id=p.pid,
                                          rule="入库项目计划总投资应≥500万元（先入库，后有数）")]  # fmt: skip
            rows.append(row)
        if self.bad and w.code == C.BZ:
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
        st = self.style(f, title, dev, ("projects", w.code), w.code)
        self.write(
            "projects", w.code, f"{dev}_项目基本信息台账", cols, rows, st, datetime(y + 1, 1, 8, 9, 30)
        )

    # -- annual plans --------------------------------------------------------------------------------------
    def annual_plans(self, w: RegionWorld) -> None:
        y = self.year
        dev = w.unit("发改局")
        force = (
            dict(title=True, unit_line="万元", seq=True, total_row=True, notes=True)
            if self.bad and w.code == C.ZB
            else {}
        )
        f = self.fmt(w.code, dev, "annual_plans", **force)
        fields = ["project_id", "project_name", "plan_year"]
        fields += ["plan_category"] if f.title else ["plan_version", "plan_category"]
        if f.extras:
            fields += ["x:total"]
        fields += ["annual_planned_investment", "planned_start_month", "planned_completion_in_year"]
        if f.extras:
            fields += ["x:lead"]
        cols = self.cols("annual_plans", fields, f)
        planned = [p for p in w.projects if p.annual > 0]
        planned.sort(
            key=lambda p: (
                p.key_level or "Z",
                {"新开工": 0, "续建": 1, "竣工": 2}[p.category or "续建"],
                p.pid,
            )
        )

        def row(p: Project, annual: float, cat: str | None, version: str = "年初") -> dict:
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

        rows = [row(p, p.annual, p.category) for p in planned]
        title = f"{w.name}{y}年重点项目年度投资计划"
        st = self.style(f, title, dev, ("plan", w.code), w.code)
        self.write(
            "annual_plans", w.code, f"{dev}_{y}年_年度投资计划", cols, rows, st, datetime(y, 2, 20, 10)
        )
        # 中期调整: only the changed and the added projects.
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
        cols = self.cols("annual_plans", fields, f)
        rows = []
        for p in mid:
            rec = row(p, p.mid_plan or 0.0, p.mid_category or p.category, "中期调整")
            rec["x:orig_plan"] = p.annual or None
            rec["x:remark"] = (
                "新增项目" if p.added_mid_year else ("调减" if (p.mid_plan or 0) < p.annual else "调增")
            )
            rows.append(rec)
        title = f"{w.name}{y}年重点项目年度投资计划（中期调整）"
        st = self.style(f, title, dev, ("plan-mid", w.code), w.code)  # title or 计划版本 column says 中期调整
        self.write(
            "annual_plans",
            w.code,
            f"{dev}_{y}年_年度投资计划_中期调整",
            cols,
            rows,
            st,
            datetime(y, 7, 25, 16),
        )

    # -- monthly progress ------------------------------------------------------------------------------------
    def progress(self, w: RegionWorld) -> None:
        y = self.year
        by_unit: dict[str, list[Project]] = {}
        for p in w.projects:
            if p.ytd:
                by_unit.setdefault(p.unit, []).append(p)
        zb = w.code == C.ZB
        for u_idx, (unit, projects) in enumerate(sorted(by_unit.items())):
            force: dict = {}
            if self.bad and zb and unit == "县交通局":
                force = dict(two_level=True, unit_line=None, money_header=None, csv=None)
            if self.bad and zb and unit == "县水利局":
                force = dict(period_in_title_only=True, title=True)
            f = self.fmt(w.code, unit, "monthly_progress", **force)
            projects.sort(key=lambda p: (p.key_level or "Z", p.pid))
            for m in MONTHS:
                active = [p for p in projects if m in p.ytd]
                if not active:
                    continue
                when = datetime(y + (m == 12), m % 12 + 1, 5, 9 + u_idx % 8, 7 * u_idx % 60)
                self.progress_file(w, unit, f, active, m, when)
        self.stats_progress(w)

    def progress_rows(self, w: RegionWorld, unit: str, projects: list[Project], m: int) -> list[dict]:
        r = self.rng("prog-rows", w.code, unit, m)
        rows = []
        for p in projects:
            ytd = p.ytd[m]
            prev = max((p.ytd[k] for k in p.ytd if k < m), default=0.0)
            since = p.prior + ytd
            done = p.complete_month is not None and m >= p.complete_month
            stopped = p.stop_month is not None and m >= p.stop_month
            pp = 1.0 if done else round(min(0.98, since / p.total * r.uniform(0.95, 1.05)), 2)
            status = "2" if done else ("3" if stopped else "1")
            status_label = r.choice({"1": ["1", "在建", "1 在建"], "2": ["2", "全部投产", "建成投产"],
                                     "3": ["3", "停缓建", "全部停缓建"]}[status])  # fmt: skip
            if done:
                note = r.choice(C.NOTES_DONE)
            elif stopped:
                note = "项目停工，正在协调复工"
            elif p.industry.startswith("48"):
                note = f"路基工程完成{min(100, round(pp * 120))}%，路面工程完成{round(pp * 80)}%"
            else:
                note = f"主体工程施工中，累计完成形象进度{round(pp * 100)}%"
            problems = None
            if "lag" in p.flags or stopped:
                problems = r.choice(C.PROBLEMS) if not stopped else "因资金问题项目停工"
            rows.append(
                {
                    "project_id": p.pid,
                    "project_name": p.name,
                    "year": self.year,
                    "month": m,
                    "x:annual": p.mid_plan if (p.mid_plan and m >= 8) else (p.annual or p.mid_plan),
                    "month_completed": round(ytd - prev, 1),
                    "ytd_completed": ytd,
                    "since_start_completed": round(since, 1),
                    "ytd_funds_in_place": p.funds_ytd[m],
                    "x:rate": round(ytd / (p.annual or p.mid_plan or 1), 4),
                    "physical_progress": pp,
                    "progress_note": note,
                    "build_status": status_label,
                    "problems": problems,
                }
            )
        return rows

    def progress_file(
        self, w: RegionWorld, unit: str, f: Fmt, projects: list[Project], m: int, when: datetime
    ) -> None:
        y = self.year
        zb = w.code == C.ZB
        fields = ["project_id", "project_name"]
        if f.extras:
            fields += ["x:annual"]
        fields += ["month_completed", "ytd_completed", "since_start_completed", "ytd_funds_in_place"]
        if f.extras:
            fields += ["x:rate"]
        fields += ["physical_progress", "progress_note", "build_status", "problems"]
        if not f.period_in_title_only:
            fields += ["year", "month"]
        rows = self.progress_rows(w, unit, projects, m)
        period = f"{y}年1-{m}月" if m > 2 else f"{y}年1-2月"
        title = f"{w.name}重点项目{period}投资进度台账（{unit}）"
        base = f"{unit}_{y}年{m:02d}月_月度投资进度"
        key = ("prog", w.code, unit, m)
        enc = f.csv
        bad = self.bad
        # -- injections -----------------------------------------------------------------------------
        if bad and zb and unit == "县水利局" and m == 6:
            rows[0].setdefault("__raw__", {})["month_completed"] = "约100"
            rows[0]["__inject__"] = [dict(kind="not_a_number", expect=VALUE_FINDING, column="@month_completed",
                                          entity="monthly_progress", project_id=rows[0]["project_id"],
                                          value="约100", rule="ING-NUM")]  # fmt: skip
        if bad and zb and unit == "县文旅局" and m == 10:
            target = next(rw for rw in rows if w.project(rw["project_id"]).prior == 0)
            target["since_start_completed"] = round(target["ytd_completed"] * 0.6, 1)
            target["__inject__"] = [dict(kind="since_start_below_ytd", expect=DQ_WARNING, column="@since_start_completed",
                                         entity="monthly_progress", project_id=target["project_id"], month=m,
                                         rule="C3 本年完成投资不超过开工累计完成投资")]  # fmt: skip
        if bad and not zb and unit == "区水利局" and m == 10:
            target = rows[0]
            p = w.project(target["project_id"])
            target["ytd_completed"] = round(p.ytd[9] * 0.93, 1)
            target["month_completed"] = round(target["ytd_completed"] - p.ytd[9], 1)
            target["since_start_completed"] = round(p.prior + target["ytd_completed"], 1)
            target["__inject__"] = [dict(kind="ytd_decrease", expect=DQ_WARNING, column="@ytd_completed",
                                         entity="monthly_progress", project_id=p.pid, month=m,
                                         rule="本年累计完成投资不应小于上月累计数（累计数逐月不减）")]  # fmt: skip
        if bad and not zb and unit == "区交通运输局" and m == 8 and len(rows) >= 2:
            dup = dict(rows[1])
            dup["ytd_completed"] = round(dup["ytd_completed"] * 1.05, 1)
            dup.pop("__inject__", None)
            mark = dict(kind="duplicate_key", expect=REJECTED_ROW, column=None, entity="monthly_progress",
                        project_id=dup["project_id"], rule="ING-DUP")  # fmt: skip
            rows[1]["__inject__"] = [mark]
            dup["__inject__"] = [dict(mark)]
            rows.append(dup)
        if bad and zb and unit == "县住建局" and m == 7:
            # the unit forgot the 本年完成投资 column: quarantined; a complete 补报 follows two days later
            broken = [c for c in fields if c != "ytd_completed"]
            cols = self.cols(
                "monthly_progress", [c for c in broken if c != "x:annual"], replace(f, two_level=False)
            )
            st = self.style(f, title, unit, key, w.code)
            bad_rows = [{k: v for k, v in rw.items() if k != "__inject__"} for rw in rows]
            wr = self.write("monthly_progress", w.code, base, cols, bad_rows, st, when, count_as="quarantine")
            self.s.inject(kind="missing_required_column", file=self.rel(wr.path), expect=QUARANTINED_FILE,
                          sheet=wr.sheet, column="本年完成投资", entity="monthly_progress", rule="ING-F1")  # fmt: skip
            base, when = f"{base}（补报）", when + timedelta(days=2)
        cols = self.cols("monthly_progress", fields, f)
        st = self.style(f, title, unit, key, w.code)
        if bad and zb and unit == "县交通局" and m == 5:
            # first submission with three wrong figures, then a corrected resubmission
            truth = [dict(rw) for rw in rows]
            for rw in rows[:3]:
                rw["ytd_completed"] = round(rw["ytd_completed"] * 0.9, 1)
                rw["since_start_completed"] = round(rw["since_start_completed"] - rw["ytd_completed"] / 9, 1)
            self.write("monthly_progress", w.code, base, cols, rows, st, when)
            for rw in truth[:3]:
                rw["__inject__"] = [dict(kind="corrected_resubmission", expect=REVISION, column="@ytd_completed",
                                         entity="monthly_progress", project_id=rw["project_id"], month=m,
                                         rule="更正报送：同一单位同一月份后报文件覆盖前报数据")]  # fmt: skip
            st2 = replace(st, title=[f"{title}（更正）"] if st.title else [])
            self.write("monthly_progress", w.code, f"{base}_更正", cols, truth, st2, when + timedelta(days=3))
            return
        self.write("monthly_progress", w.code, base, cols, rows, st, when, enc)

    def stats_progress(self, w: RegionWorld) -> None:
        """The statistics bureau's figures (统计数) for 入库 key projects, quarterly."""
        y = self.year
        unit = w.unit("统计局")
        f = self.fmt(w.code, unit, "monthly_progress")
        fields = ["project_id", "project_name", "year", "month", "basis", "ytd_completed", "build_status"]
        cols = self.cols("monthly_progress", fields, replace(f, two_level=False))
        for m in (3, 6, 9, 12):
            rows = []
            for p in sorted(w.projects, key=lambda p: p.pid):
                if not (p.key_level and p.in_stats and m in p.ytd):
                    continue
                rows.append({
                    "project_id": p.pid, "project_name": p.name, "year": y, "month": m, "basis": "统计数",
                    "ytd_completed": round(p.ytd[m] * p.stats_factor, 1),
                    "build_status": "2" if p.complete_month and m >= p.complete_month else
                    ("3" if p.stop_month and m >= p.stop_month else "1"),
                })  # fmt: skip
            title = f"{w.name}{y}年1-{m}月重点项目统计数（法定数据）"
            st = self.style(f, title, unit, ("stats-prog", w.code, m), w.code)
            when = datetime(y + (m == 12), m % 12 + 1, 12, 15)
            self.write(
                "monthly_progress", w.code, f"{unit}_{y}年{m:02d}月_重点项目统计数", cols, rows, st, when
            )

    # -- procedures ---------------------------------------------------------------------------------------
    def procedures(self, w: RegionWorld) -> None:
        dev = w.unit("发改局")
        f = self.fmt(w.code, dev, "procedures")
        fields = ["project_id", "project_name", "procedure_type", "is_required", "status", "submitted_date",
                  "approved_date", "doc_no", "approving_dept"]  # fmt: skip
        cols = self.cols("procedures", fields, f)
        r = self.rng("procs", w.code)
        rows = []
        for pr in w.procedures:
            label = pr.ptype if r.random() < 0.5 else C.PROC_LABELS[pr.ptype]
            rows.append({
                "project_id": pr.pid, "project_name": pr.name, "procedure_type": label,
                "is_required": pr.required, "status": pr.status, "submitted_date": pr.submitted,
                "approved_date": pr.approved, "doc_no": pr.doc_no, "approving_dept": pr.dept,
            })  # fmt: skip
        title = f"{w.name}{self.year}年新开工及储备项目前期手续办理台账"
        st = self.style(f, title, dev, ("procs", w.code), w.code)
        self.write(
            "procedures", w.code, f"{dev}_前期手续办理台账", cols, rows, st, datetime(self.year + 1, 1, 8, 15)
        )

    # -- investment contracts -------------------------------------------------------------------------------
    def contracts(self, w: RegionWorld) -> None:
        y = self.year
        zb = w.code == C.ZB
        unit = "县经合中心" if zb else "区投资促进局"
        force: dict = {}
        if self.bad and zb:
            force = dict(csv="gbk", two_level=False, title=True, date_style="cn")
        f = self.fmt(w.code, unit, "investment_contracts", **force)
        fields = ["contract_id", "project_name", "investor", "investor_origin", "signing_event", "signed_date",
                  "contract_amount", "land_approved_date", "land_doc_no", "status", "funds_in_place",
                  "funds_in_place_usd"]  # fmt: skip
        if not f.title:
            fields.insert(2, "region_code")
        unit_cols = ("funds_in_place_usd:美元",) if self.bad and zb else ()
        cols = self.cols("investment_contracts", fields, f, unit_cols)
        rows = []
        for c in w.contracts:
            rows.append({
                "contract_id": c.cid, "project_name": c.name, "investor": c.investor, "investor_origin": c.origin,
                "signing_event": c.event, "signed_date": c.signed, "contract_amount": c.amount,
                "land_approved_date": c.land_date, "land_doc_no": c.land_doc, "status": c.status,
                "funds_in_place": c.funds_in_place, "funds_in_place_usd": c.funds_usd, "region_code": c.region,
            })  # fmt: skip
            if c.funds_usd and unit_cols:
                rows[-1]["__check__"] = [dict(column=cols_header(cols, "funds_in_place_usd"), declared_unit="美元",
                                              written=fmt_num(c.funds_usd * 10000, 0),
                                              expected_wanmeiyuan=fmt_num(c.funds_usd, 2))]  # fmt: skip
        if self.bad and zb:
            bad_amount = next(
                rw for rw, c in zip(rows, w.contracts, strict=True) if c.signed.year < y and not c.land_date
            )
            bad_amount["__raw__"] = {"contract_amount": "待定"}
            bad_amount["__inject__"] = [dict(kind="not_a_number", expect=VALUE_FINDING, column="@contract_amount",
                                             entity="investment_contracts", value="待定", rule="ING-NUM")]  # fmt: skip
            early = next(
                rw for rw, c in zip(rows, w.contracts, strict=True) if c.signed.year == y and c.land_date
            )
            early["land_approved_date"] = early["signed_date"] - timedelta(days=20)
            early["__inject__"] = [dict(kind="land_before_signing", expect=DQ_WARNING, column="@land_approved_date",
                                        entity="investment_contracts", contract_id=early["contract_id"],
                                        rule="获批建设用地时间不应早于签约时间")]  # fmt: skip
        title = (
            f"{w.name}招商引资签约项目台账（{y - 1}—{y}年）" if zb else f"{w.name}{y}年招商引资签约项目台账"
        )
        st = self.style(f, title, unit, ("contracts", w.code), w.code)
        name = f"{unit}_{y}_招商引资签约项目台账"
        self.write("investment_contracts", w.code, name, cols, rows, st, datetime(y + 1, 1, 6, 11), f.csv)

    # -- funds ----------------------------------------------------------------------------------------------
    def funds(self, w: RegionWorld) -> None:
        y = self.year
        zb = w.code == C.ZB
        fin, dev = w.unit("财政局"), w.unit("发改局")
        plan = [(fin, m) for m in (3, 6, 9, 12)] if zb else [(fin, 6), (fin, 12)]
        if zb:
            plan += [(dev, 6), (dev, 12)]
        for unit, m in plan:
            as_of = date(y, m, calendar.monthrange(y, m)[1])
            items = [
                fi for fi in w.funds
                if fi.unit == unit and (fi.issued_date is None or fi.issued_date <= as_of or fi.fund_year < y)
                and not (fi.issued_date is None and m < 12)
            ]  # fmt: skip
            f = self.fmt(w.code, unit, "funds")
            if self.bad and not zb and m == 12:
                f = replace(f, unit_line="亿元", money_header=None, two_level=False, units_row=False)
            self.funds_file(w, unit, f, items, m, as_of, f"{unit}_{y}年{m:02d}月_争取资金台账")
        if zb:
            hist = [fi for fi in w.funds if fi.unit == "history"]
            f = self.fmt(w.code, dev + "-history", "funds")
            self.funds_file(w, dev, f, hist, 12, date(y - 1, 12, 31), f"{dev}_{y - 1}年度_争取资金台账",
                            when=datetime(y, 1, 20, 10))  # fmt: skip

    def funds_file(self, w: RegionWorld, unit: str, f: Fmt, items: list, m: int, as_of: date, name: str,
                   when: datetime | None = None) -> None:  # fmt: skip
        y = as_of.year
        zb = w.code == C.ZB
        fields = ["project_id", "project_name", "fund_type", "fund_year", "batch"]
        if not zb:
            fields += ["fund_category"]
        fields += ["requested_amount", "issued_amount", "issued_date", "received_amount", "received_date",
                   "paid_amount", "paid_as_of", "doc_no"]  # fmt: skip
        cols = self.cols("funds", fields, f)
        rows = []
        for fi in sorted(items, key=lambda x: (x.fund_type, x.pid)):
            received = fi.received_date is not None and fi.received_date <= as_of
            rows.append({
                "project_id": fi.pid, "project_name": fi.name, "fund_type": fi.fund_type, "fund_year": fi.fund_year,
                "batch": fi.batch or None, "fund_category": fi.category, "requested_amount": fi.requested,
                "issued_amount": fi.issued, "issued_date": fi.issued_date,
                "received_amount": fi.issued if received else None, "received_date": fi.received_date if received else None,
                "paid_amount": fi.paid_at(as_of) if received else None, "paid_as_of": as_of if received else None,
                "doc_no": fi.doc_no,
            })  # fmt: skip
        if self.bad and not zb and m == 12:
            target = next(rw for rw in rows if rw["issued_amount"])
            target["__raw__"] = {"issued_amount": "1.2亿"}
            target["__inject__"] = [dict(kind="not_a_number", expect=VALUE_FINDING, column="@issued_amount", entity="funds",
                                         value="1.2亿", rule="ING-NUM")]  # fmt: skip
            for rw in rows[-2:]:
                if rw["issued_amount"] and "__raw__" not in rw:
                    wan = float(rw["issued_amount"])
                    rw["__check__"] = [dict(column=cols_header(cols, "issued_amount"), declared_unit="亿元",
                                            written=fmt_num(wan / 10000, 6), expected_wanyuan=fmt_num(wan, 2))]  # fmt: skip
        period = f"截至{y}年{m}月底"
        title = f"{w.name}争取中省资金及债券资金台账（{period}）"
        st = self.style(f, title, unit, ("funds", w.code, name), w.code)
        if when is None:
            when = datetime(y + (m == 12), m % 12 + 1, 10, 10)
        self.write("funds", w.code, name, cols, rows, st, when)

    # -- indicator reports --------------------------------------------------------------------------------
    def indicators(self, w: RegionWorld) -> None:
        path = SEEDS_DIR / "plan_targets.csv"
        if not path.exists():
            note = "indicator_reports skipped: seeds/plan_targets.csv not found"
            if note not in self.s.notes:
                self.s.notes.append(note)
            return
        y = self.year
        targets: dict[str, dict] = {}
        with path.open(encoding="utf-8") as fh:
            for t in csv.DictReader(fh):
                mk = t.get("metric_key") or ""
                if t.get("region_code") != w.code or not mk.startswith("indicator_report:"):
                    continue
                if str(t.get("plan_year") or y) != str(y):
                    continue
                code = mk.split(":", 1)[1]
                targets.setdefault(code, t)
        if not targets:
            self.s.notes.append(f"indicator_reports: no indicator_report targets for {w.code}")
            return
        by_unit: dict[str, list[tuple[str, dict]]] = {}
        for code, t in targets.items():
            unit = (t.get("lead_unit") or "").strip() or bazhou_unit(t.get("indicator_zh", ""))
            by_unit.setdefault(unit, []).append((code, t))
        for u_idx, (unit, items) in enumerate(sorted(by_unit.items())):
            f = self.fmt(w.code, unit, "indicator_reports")
            r = self.rng("indicators", w.code, unit)
            paths = {}
            for code, _t in items:  # cumulative share of the target at Q1..Q4; a few end below it
                q = [r.uniform(0.12, 0.3), r.uniform(0.38, 0.58), r.uniform(0.62, 0.82)]
                final = r.uniform(1.0, 1.25) if r.random() < 0.82 else r.uniform(q[2] + 0.03, 0.95)
                paths[code] = [*q, final]
            for qi, m in enumerate((3, 6, 9, 12)):
                fields = ["indicator_code", "indicator_name", "unit", "x:target", "value", "note"]
                if f.extras or not f.title:
                    fields = ["region_code"] + fields
                if not f.period_in_title_only:
                    fields += ["year", "month"]
                cols = self.cols("indicator_reports", fields, f)
                rows = []
                for code, t in items:
                    target = float(t["target_value"])
                    unit_t = t.get("unit") or ""
                    v = target * paths[code][qi]
                    if unit_t == "ratio":
                        value: object = f"{fmt_num(v * 100, 1)}%"
                        unit_t = "%"
                    elif unit_t in COUNT_UNITS or target >= 50:
                        value = float(max(0, round(v)))
                    else:
                        value = round(v, 2)
                    rows.append({
                        "region_code": w.code, "indicator_code": code, "indicator_name": t.get("indicator_zh"),
                        "unit": unit_t, "x:target": t["target_value"], "value": value, "year": y, "month": m,
                        "note": None if paths[code][qi] >= 0.25 * (qi + 1) else "受季节因素影响，进度偏慢",
                    })  # fmt: skip
                title = f"{w.name}{y}年1-{m}月目标任务完成情况报送表（{unit}）"
                st = self.style(f, title, unit, ("ind", w.code, unit, m), w.code)
                when = datetime(y + (m == 12), m % 12 + 1, 8, 9 + u_idx % 8)
                name = f"{unit}_{y}年{m:02d}月_指标完成情况报送表"
                self.write("indicator_reports", w.code, name, cols, rows, st, when)

    # -- statistics bureau aggregates -------------------------------------------------------------------------
    def fai(self, w: RegionWorld) -> None:
        y = self.year
        zb = w.code == C.ZB
        unit = w.unit("统计局")
        r = self.rng("fai", w.code)
        level = 860000.0 * r.uniform(0.97, 1.03) if zb else 2350000.0 * r.uniform(0.97, 1.03)
        series = []
        for code, name, share, target in FAI:
            g = target + r.gauss(0, 0.012) if r.random() < 0.75 else target - r.uniform(0.02, 0.05)
            drift = r.uniform(-0.04, 0.07)
            series.append((code, name, share * r.uniform(0.97, 1.03), g, drift))
        if not zb:
            series.append(("IND_OUTPUT_ABOVE_SCALE", "规上工业总产值", 620000.0 / level, 0.09, 0.02))
        for m in MONTHS:
            force: dict = {}
            enc = None
            if self.bad and zb and m == 6:
                force = dict(csv="utf-8-sig")
            f = self.fmt(w.code, unit, "fai_aggregates")
            f = replace(f, **force) if force else f
            enc = f.csv
            fields = [
                "region_code",
                "indicator_code",
                "indicator_name",
                "value",
                "yoy_growth",
                "share",
                "year",
                "month",
            ]
            cols = self.cols("fai_aggregates", fields, f)
            rows = []
            for code, name, share, g, drift in series:
                cum = FAI_CUM[m] * r.uniform(0.98, 1.02)
                value = round(level * share * cum, 1)
                growth = round(g + drift * (12 - m) / 10, 4)
                withheld = code in ("FAI_HOSPITALITY", "FAI_CULTURE_ENT") and m in (2, 4, 5)
                rows.append({
                    "region_code": w.code, "indicator_code": code, "indicator_name": name,
                    "value": None if withheld else value, "yoy_growth": growth,
                    "share": None if code in ("FAI_TOTAL", "IND_OUTPUT_ABOVE_SCALE") else round(share, 4),
                    "year": y, "month": m,
                })  # fmt: skip
                if withheld:
                    rows[-1]["__raw__"] = {"value": "—"}
            title = f"{w.name}{y}年1-{m}月固定资产投资主要指标"
            st = self.style(f, title, unit, ("fai", w.code, m), w.code)
            when = datetime(y + (m == 12), m % 12 + 1, 15, 16)
            self.write(
                "fai_aggregates",
                w.code,
                f"{unit}_{y}年{m:02d}月_固定资产投资主要指标",
                cols,
                rows,
                st,
                when,
                enc,
            )

    # -- things that are not ledgers ---------------------------------------------------------------------------
    def non_ledgers(self) -> None:
        y = self.year
        path = self.out / "镇巴县" / f"县发改局_关于{y}年重点项目推进情况的说明.docx"
        size = write_docx(path, [
            f"关于{y}年重点项目推进情况的说明",
            "县高质量项目推进年工作专班：",
            "截至目前，我县45个重点项目中新开工项目均已按计划推进，个别项目因要素保障问题进度滞后，详见月度台账。",
            "镇巴县发展和改革局",
        ])  # fmt: skip
        self.s.add_file("quarantine", 0, size)
        self.s.files.append({"file": self.rel(path), "entity": "quarantine", "rows": 0})
        self.events.append((datetime(y, 6, 12, 17), len(self.events), path))
        self.s.inject(kind="not_a_ledger", file=self.rel(path), expect=QUARANTINED_FILE, rule="ING-F0",
                      entity=None)  # fmt: skip
        # an Excel "ledger" that is really a narrative report: no known headers
        cols = [Col("x:text", f"{y}年6月工作简报", "text")]
        rows = [{"x:text": t} for t in (
            "一、总体情况：上半年全区重点项目建设总体平稳。",
            "二、存在问题：部分项目要素保障不足，资金到位较慢。",
            "三、下步打算：持续开展“六个一”项目推进，强化蜗牛项目评选。",
        )]  # fmt: skip
        st = Style(sheet_name="简报")
        wr = self.write(
            "non_ledger",
            C.BZ,
            f"区住建局_{y}年06月_工作简报",
            cols,
            rows,
            st,
            datetime(y, 7, 3, 10),
            count_as="quarantine",
        )
        self.s.inject(kind="not_a_ledger", file=self.rel(wr.path), expect=QUARANTINED_FILE, sheet=wr.sheet,
                      rule="ING-F1", entity=None)  # fmt: skip


def _stage_order(p: Project) -> int:
    return {"开工在建": 0, "竣工投产": 1, "储备": 2, "谋划": 3}.get(p.stage, 4)


def cols_header(cols: list[Col], name: str) -> str:
    return next(c.header for c in cols if c.name == name)


def bazhou_unit(indicator: str) -> str:
    """Lead unit for a Bazhou target (the excerpt has no task table): by topic."""
    for words, unit in (
        (("危房", "厕所", "污水", "传统村落"), "区住建局"),
        (("5G", "厂房", "企业", "基金", "专项资金"), "区经信局"),
        (("商贸", "服务业"), "区商务局"),
        (("电网", "线路"), "区发改局"),
        (("农", "粮", "玉米", "生猪", "肉牛", "村", "园区"), "区农业农村局"),
    ):
        if any(w in indicator for w in words):
            return unit
    return "区发改局"


def generate_county(out_dir: Path, seed: int, rate: float, year: int, summary: DemoSummary) -> None:
    CountyWriter(out_dir, seed, rate, year, summary).run()
