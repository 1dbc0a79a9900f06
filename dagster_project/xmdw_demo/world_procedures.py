"""The 前期手续 (approvals) of the projects that start this year or are in reserve: which procedures each kind
of project needs, how far each got by 31 December, and the document numbers and departments that issued them.
Deterministic for a given random.Random."""

from __future__ import annotations

import random
from datetime import date, timedelta

from xmdw_demo import catalog as C
from xmdw_demo.draws import rdate
from xmdw_demo.world_model import ProcedureRow, Project
from xmdw_demo.world_projects import Builder


def doc_no(region: str, ptype: str, d: date, n: int, code: str | None) -> tuple[str | None, str]:
    zb = region == C.ZB
    short = "镇" if zb else "巴州"
    city = "汉" if zb else "巴"
    y = d.year
    table = {
        "赋码": (code, f"{C.REGION_NAMES[region]}发展和改革局"),
        "立项": (f"{short}发改发〔{y}〕{n}号", f"{C.REGION_NAMES[region]}发展和改革局"),
        "用地预审": (f"{short}自然资预〔{y}〕{n}号", f"{C.REGION_NAMES[region]}自然资源局"),
        "用地规划许可": (f"地字第{region}{y}{n:04d}号", f"{C.REGION_NAMES[region]}自然资源局"),
        "土地供应": (f"{short}自然资供〔{y}〕{n}号", f"{C.REGION_NAMES[region]}自然资源局"),
        "林地草原": (f"{'陕' if zb else '川'}林资许准〔{y}〕{n}号", "省林业局"),
        "环评": (
            f"{city}环批复〔{y}〕{n}号",
            f"{'汉中' if zb else '巴中'}市生态环境局{C.REGION_NAMES[region]}分局",
        ),
        "节能审查": (f"{short}发改能审〔{y}〕{n}号", f"{C.REGION_NAMES[region]}发展和改革局"),
        "水土保持": (f"{short}水保批〔{y}〕{n}号", f"{C.REGION_NAMES[region]}水利局"),
        "社会稳定风险评估": (f"{short}稳评备〔{y}〕{n}号", f"{C.REGION_NAMES[region]}委政法委"),
        "初步设计": (f"{short}发改投资〔{y}〕{n}号", f"{C.REGION_NAMES[region]}发展和改革局"),
        "工程规划许可": (f"建字第{region}{y}{n:04d}号", f"{C.REGION_NAMES[region]}自然资源局"),
        "施工许可": (f"{region}{d:%Y%m%d}{n:02d}01", f"{C.REGION_NAMES[region]}住房和城乡建设局"),
    }
    return table[ptype]


def build_procedures(b: Builder) -> list[ProcedureRow]:
    """Rows of every project that starts this year (also at the 中期调整) or is in reserve."""
    out: list[ProcedureRow] = []
    for p in b.w.projects:
        is_new = p.category == "新开工" or p.added_mid_year
        if not (is_new or p.stage == "储备"):
            continue
        # `len(out)` numbers the documents across the region, in the order they are drawn
        out += _project_procedures(b.rng, b.year, p, _procedure_kinds(p), len(out))
    return out


def _procedure_kinds(p: Project) -> list[str]:
    if p.industry.startswith("48"):
        return C.PROCS_LINEAR
    if p.inv_type == "企业投资":
        return C.PROCS_ENTERPRISE
    return C.PROCS_GOVT


def _project_procedures(
    rng: random.Random, y: int, p: Project, kinds: list[str], n: int
) -> list[ProcedureRow]:
    end = date(y, 12, 31)
    out: list[ProcedureRow] = []
    blocked = False
    for i, kind in enumerate(kinds):
        n += 1
        required = not (
            (kind == "节能审查" and p.total < 5000)
            or (kind == "社会稳定风险评估" and p.total < 3000)
            or (kind == "林地草原" and rng.random() < 0.3)
        )
        status, sub, app = "不适用", None, None
        if required:
            status, sub, app, blocked = _procedure_state(rng, y, p, kinds, i, blocked)
        doc, dept = (None, None)
        if status == "已办结" and app is not None:
            doc, dept = doc_no(p.region, kind, app, n % 97 + 1, p.national_code)
        elif status == "办理中":
            dept = doc_no(p.region, kind, end, 1, None)[1]
        out.append(ProcedureRow(p.pid, p.name, kind, required, status, sub, app, doc, dept))
    return out


def _procedure_state(
    rng: random.Random, y: int, p: Project, kinds: list[str], i: int, blocked: bool
) -> tuple[str, date | None, date | None, bool]:
    """(status, submitted, approved, blocked) of the i-th required procedure. A started project has them all
    (a few obtained after breaking ground); for one in reserve, the first not done blocks the ones after it."""
    end = date(y, 12, 31)
    kind = kinds[i]
    anchor = p.actual_start
    sub: date | None = None
    app: date | None = None
    if anchor is not None:
        app = anchor - timedelta(days=int((len(kinds) - i) * rng.uniform(12, 35)))
        status = "已办结"
        if kind in ("施工许可", "土地供应") and rng.random() < 0.12:
            app = anchor + timedelta(days=rng.randint(10, 90))  # obtained after breaking ground
        if rng.random() < 0.04 and kind != "赋码":
            app = None
            status = "办理中"
    else:
        done = kind == "赋码" and p.national_code is not None
        if not done and not blocked:
            done = rng.random() < (0.75 if i < 3 else 0.35)
        if done:
            app = rdate(rng, y, rng.randint(1, 11))
            status = "已办结"
        else:
            blocked = True
            status = "办理中" if rng.random() < 0.55 else "未启动"
            if status == "办理中":
                sub = rdate(rng, y, rng.randint(6, 12))
    if app is not None and app > end:
        app, status = None, "办理中"
        sub = end - timedelta(days=rng.randint(5, 40))
    if app is not None:
        sub = app - timedelta(days=rng.randint(7, 60))
    return status, sub, app, blocked
