"""The monthly 投资进度 ledgers (one per unit per report month) and the statistics bureau's quarterly figures
(统计数) of the key projects, with the deliberately bad rows and files of the county demo: unreadable
numbers, totals that contradict each other, a duplicated row, a file missing a required column (then its
补报), and a corrected resubmission."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from xmdw_demo import catalog as C
from xmdw_demo.county_writer import CountyWriter
from xmdw_demo.summary import DQ_WARNING, QUARANTINED_FILE, REJECTED_ROW, REVISION, VALUE_FINDING
from xmdw_demo.unit_formats import Fmt
from xmdw_demo.world_model import MONTHS, Project, RegionWorld
from xmdw_demo.writer import Col, Style

STATUS_LABELS = {
    "1": ["1", "在建", "1 在建"],
    "2": ["2", "全部投产", "建成投产"],
    "3": ["3", "停缓建", "全部停缓建"],
}


def write_progress(cw: CountyWriter, w: RegionWorld) -> None:
    """Each unit reports its started projects every month from February (January comes with February)."""
    y = cw.year
    by_unit: dict[str, list[Project]] = {}
    for p in w.projects:
        if p.ytd:
            by_unit.setdefault(p.unit, []).append(p)
    zb = w.code == C.ZB
    for u_idx, (unit, projects) in enumerate(sorted(by_unit.items())):
        force: dict = {}
        if cw.bad and zb and unit == "县交通局":
            force = dict(two_level=True, unit_line=None, money_header=None, csv=None)
        if cw.bad and zb and unit == "县水利局":
            force = dict(period_in_title_only=True, title=True)
        f = cw.fmt(w.code, unit, "monthly_progress", **force)
        projects.sort(key=lambda p: (p.key_level or "Z", p.pid))
        for m in MONTHS:
            active = [p for p in projects if m in p.ytd]
            if not active:
                continue
            when = datetime(y + (m == 12), m % 12 + 1, 5, 9 + u_idx % 8, 7 * u_idx % 60)
            _write_progress_file(cw, w, unit, f, active, m, when)
    _write_stats_progress(cw, w)


def _progress_rows(
    cw: CountyWriter, w: RegionWorld, unit: str, projects: list[Project], m: int
) -> list[dict]:
    r = cw.rng("prog-rows", w.code, unit, m)
    rows = []
    for p in projects:
        ytd = p.ytd[m]
        prev = max((p.ytd[k] for k in p.ytd if k < m), default=0.0)
        since = p.prior + ytd
        done = p.complete_month is not None and m >= p.complete_month
        stopped = p.stop_month is not None and m >= p.stop_month
        pp = 1.0 if done else round(min(0.98, since / p.total * r.uniform(0.95, 1.05)), 2)
        status = "2" if done else ("3" if stopped else "1")
        status_label = r.choice(STATUS_LABELS[status])
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
                "year": cw.year,
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


def _progress_fields(f: Fmt) -> list[str]:
    fields = ["project_id", "project_name"]
    if f.extras:
        fields += ["x:annual"]
    fields += ["month_completed", "ytd_completed", "since_start_completed", "ytd_funds_in_place"]
    if f.extras:
        fields += ["x:rate"]
    fields += ["physical_progress", "progress_note", "build_status", "problems"]
    if not f.period_in_title_only:
        fields += ["year", "month"]
    return fields


def _write_progress_file(
    cw: CountyWriter, w: RegionWorld, unit: str, f: Fmt, projects: list[Project], m: int, when: datetime
) -> None:
    y = cw.year
    zb = w.code == C.ZB
    fields = _progress_fields(f)
    rows = _progress_rows(cw, w, unit, projects, m)
    period = f"{y}年1-{m}月" if m > 2 else f"{y}年1-2月"
    title = f"{w.name}重点项目{period}投资进度台账（{unit}）"
    base = f"{unit}_{y}年{m:02d}月_月度投资进度"
    key = ("prog", w.code, unit, m)
    if cw.bad:
        _inject_bad_rows(w, unit, m, rows)
    if cw.bad and zb and unit == "县住建局" and m == 7:
        # the unit forgot the 本年完成投资 column: quarantined; a complete 补报 follows two days later
        _write_missing_column(cw, w, unit, f, fields, rows, cw.style(f, title, unit, key, w.code), base, when)
        base, when = f"{base}（补报）", when + timedelta(days=2)
    cols = cw.cols("monthly_progress", fields, f)
    st = cw.style(f, title, unit, key, w.code)
    if cw.bad and zb and unit == "县交通局" and m == 5:
        _write_with_correction(cw, w, cols, rows, st, base, title, when, m)
        return
    cw.write("monthly_progress", w.code, base, cols, rows, st, when, f.csv)


def _inject_bad_rows(w: RegionWorld, unit: str, m: int, rows: list[dict]) -> None:
    """Rows that load but are wrong (a rule flags them) or that the parser must reject or mark."""
    zb = w.code == C.ZB
    if zb and unit == "县水利局" and m == 6:
        rows[0].setdefault("__raw__", {})["month_completed"] = "约100"
        rows[0]["__inject__"] = [dict(kind="not_a_number", expect=VALUE_FINDING, column="@month_completed",
                                      entity="monthly_progress", project_id=rows[0]["project_id"],
                                      value="约100", rule="ING-NUM")]  # fmt: skip
    if zb and unit == "县文旅局" and m == 10:
        target = next(rw for rw in rows if w.project(rw["project_id"]).prior == 0)
        target["since_start_completed"] = round(target["ytd_completed"] * 0.6, 1)
        target["__inject__"] = [dict(kind="since_start_below_ytd", expect=DQ_WARNING, column="@since_start_completed",
                                     entity="monthly_progress", project_id=target["project_id"], month=m,
                                     rule="C3 本年完成投资不超过开工累计完成投资")]  # fmt: skip
    if not zb and unit == "区水利局" and m == 10:
        target = rows[0]
        p = w.project(target["project_id"])
        target["ytd_completed"] = round(p.ytd[9] * 0.93, 1)
        target["month_completed"] = round(target["ytd_completed"] - p.ytd[9], 1)
        target["since_start_completed"] = round(p.prior + target["ytd_completed"], 1)
        target["__inject__"] = [dict(kind="ytd_decrease", expect=DQ_WARNING, column="@ytd_completed",
                                     entity="monthly_progress", project_id=p.pid, month=m,
                                     rule="本年累计完成投资不应小于上月累计数（累计数逐月不减）")]  # fmt: skip
    if not zb and unit == "区交通运输局" and m == 8 and len(rows) >= 2:
        dup = dict(rows[1])
        dup["ytd_completed"] = round(dup["ytd_completed"] * 1.05, 1)
        dup.pop("__inject__", None)
        mark = dict(kind="duplicate_key", expect=REJECTED_ROW, column=None, entity="monthly_progress",
                    project_id=dup["project_id"], rule="ING-DUP")  # fmt: skip
        rows[1]["__inject__"] = [mark]
        dup["__inject__"] = [dict(mark)]
        rows.append(dup)


def _write_missing_column(
    cw: CountyWriter, w: RegionWorld, unit: str, f: Fmt, fields: list[str], rows: list[dict], st: Style,
    base: str, when: datetime,
) -> None:  # fmt: skip
    """The file without 本年完成投资 (and without the extra 年度计划投资): quarantined as a whole."""
    broken = [c for c in fields if c != "ytd_completed"]
    cols = cw.cols("monthly_progress", [c for c in broken if c != "x:annual"], replace(f, two_level=False))
    bad_rows = [{k: v for k, v in rw.items() if k != "__inject__"} for rw in rows]
    wr = cw.write("monthly_progress", w.code, base, cols, bad_rows, st, when, count_as="quarantine")
    cw.s.inject(kind="missing_required_column", file=cw.rel(wr.path), expect=QUARANTINED_FILE,
                sheet=wr.sheet, column="本年完成投资", entity="monthly_progress", rule="ING-F1")  # fmt: skip


def _write_with_correction(
    cw: CountyWriter, w: RegionWorld, cols: list[Col], rows: list[dict], st: Style, base: str, title: str,
    when: datetime, m: int,
) -> None:  # fmt: skip
    """First submission with three wrong figures, then a corrected resubmission three days later."""
    truth = [dict(rw) for rw in rows]
    for rw in rows[:3]:
        rw["ytd_completed"] = round(rw["ytd_completed"] * 0.9, 1)
        rw["since_start_completed"] = round(rw["since_start_completed"] - rw["ytd_completed"] / 9, 1)
    cw.write("monthly_progress", w.code, base, cols, rows, st, when)
    for rw in truth[:3]:
        rw["__inject__"] = [dict(kind="corrected_resubmission", expect=REVISION, column="@ytd_completed",
                                 entity="monthly_progress", project_id=rw["project_id"], month=m,
                                 rule="更正报送：同一单位同一月份后报文件覆盖前报数据")]  # fmt: skip
    st2 = replace(st, title=[f"{title}（更正）"] if st.title else [])
    cw.write("monthly_progress", w.code, f"{base}_更正", cols, truth, st2, when + timedelta(days=3))


def _write_stats_progress(cw: CountyWriter, w: RegionWorld) -> None:
    """The statistics bureau's figures (统计数) for 入库 key projects, quarterly."""
    y = cw.year
    unit = w.unit("统计局")
    f = cw.fmt(w.code, unit, "monthly_progress")
    fields = ["project_id", "project_name", "year", "month", "basis", "ytd_completed", "build_status"]
    cols = cw.cols("monthly_progress", fields, replace(f, two_level=False))
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
        st = cw.style(f, title, unit, ("stats-prog", w.code, m), w.code)
        when = datetime(y + (m == 12), m % 12 + 1, 12, 15)
        cw.write("monthly_progress", w.code, f"{unit}_{y}年{m:02d}月_重点项目统计数", cols, rows, st, when)
