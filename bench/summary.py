"""The benchmark's summary: per-stage medians, ratios to the floor, the markdown table, the machine."""

from __future__ import annotations

import contextlib
import os
import platform
import statistics

from measure import Measurement

STAGE_ORDER = ["ingest", "gx", "floor", "dbt", "report", "bulletin", "publish", "xmdw_run"]


def summarise(measurements: list[Measurement]) -> dict[str, dict]:
    """Per stage: median, min, max seconds and the peak RSS over the runs that succeeded."""
    out: dict[str, dict] = {}
    for stage in STAGE_ORDER:
        ms = [m for m in measurements if m.stage == stage]
        ok = [m for m in ms if m.status == "ok"]
        if not ms:
            continue
        if not ok:  # why it has no figure: did not finish, killed, failed, not run (and the flags saying so)
            flags = sorted({m.details["flag"] for m in ms if "flag" in m.details})
            out[stage] = {"status": ms[0].status, "runs": len(ms), "flags": flags}
            out[stage]["load_1min"] = [m.load_1min for m in ms]
            continue
        secs = [m.seconds for m in ok]
        out[stage] = {
            "status": "ok",
            "runs": len(ok),
            "median": round(statistics.median(secs), 2),
            "min": round(min(secs), 2),
            "max": round(max(secs), 2),
            "max_rss_mb": max(m.max_rss_mb for m in ok),
            "load_1min": [m.load_1min for m in ms],
            "flags": sorted({m.details["flag"] for m in ok if "flag" in m.details}),
        }
    floor = out.get("floor", {}).get("median")
    stage_sum = 0.0
    for stage, s in out.items():
        if floor and s.get("median") is not None:
            s["ratio_to_floor"] = round(s["median"] / floor, 1)
        if stage not in ("floor", "xmdw_run") and s.get("median") is not None:
            stage_sum += s["median"]
    out["_stages_total"] = {"median": round(stage_sum, 2)}
    if floor:
        out["_stages_total"]["ratio_to_floor"] = round(stage_sum / floor, 1)
    return out


def _fmt_stage(s: dict | None) -> str:
    if not s:
        return "–"
    if s.get("status") != "ok":
        return "; ".join(s.get("flags") or []) or s.get("status", "–")
    flag = " †" if s.get("flags") else ""
    return f"{s['median']:.1f} s ({s['min']:.1f}–{s['max']:.1f}), {s['max_rss_mb']:.0f} MB{flag}"


def markdown(result: dict) -> str:
    scales = list(result["scales"])
    head = (
        "| stage | " + " | ".join(f"{sc}: median (min–max), peak RSS | {sc}: × floor" for sc in scales) + " |"
    )
    lines = [head, "|---|" + "---|---|" * len(scales)]
    for stage in [*STAGE_ORDER, "_stages_total"]:
        cells = []
        for sc in scales:
            s = result["scales"][sc]["summary"].get(stage)
            if stage == "_stages_total":
                cells += [
                    f"{s['median']:.1f} s" if s else "–",
                    f"{s.get('ratio_to_floor', '–')}" if s else "–",
                ]
            else:
                ratio = s.get("ratio_to_floor") if s else None
                cells += [_fmt_stage(s), f"{ratio}" if ratio is not None else "–"]
        name = "sum of the stages (excl. floor, xmdw_run)" if stage == "_stages_total" else f"`{stage}`"
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    for sc in scales:
        inc = result["scales"][sc].get("increment")
        if inc and inc.get("ratio_to_full_run") is not None:
            lines.append(
                f"\nIncrement ({sc}): add {inc['month_added']} to the other months, `{inc['command']}`: "
                f"median {inc['median']:.1f} s ({inc['min']:.1f}–{inc['max']:.1f}) = "
                f"**{inc['ratio_to_full_run']:.2f} ×** a full `xmdw run` (median {inc['full_run_median']:.1f} s)."
            )
    for sc in scales:
        bi = result["scales"][sc].get("bi") or {}
        d = bi.get("during_build") or {}
        if "p95_ms" in d:
            lines.append(
                f"\nBI ({sc}, {bi['connection']}; {len(bi['mix'])} queries per pass) during "
                f"`{bi['build']}` ({bi['build_seconds']:.0f} s): {d['queries']:,} queries, {d['errors']} errors, "
                f"p50 {d['p50_ms']:.0f} ms, p95 {d['p95_ms']:.0f} ms, max {d['max_ms']:.0f} ms "
                f"(before it: p95 {bi['quiet'].get('p95_ms', 0):.0f} ms)."
            )
        elif bi:
            lines.append(f"\nBI ({sc}): {bi.get('error') or bi.get('note') or bi.get('status')}")
    flags = {
        f"{sc} `{stage}`: {', '.join(s['flags'])}"
        for sc in scales
        for stage, s in result["scales"][sc]["summary"].items()
        if s.get("flags") and s.get("status") == "ok"
    }
    if flags:
        lines.append("\n† " + "; ".join(sorted(flags)) + ".")
    loads = [
        x for sc in scales for s in result["scales"][sc]["summary"].values() for x in s.get("load_1min", [])
    ]
    if loads:
        lines.append(
            f"\nMachine load (1-min load average at process start): median {statistics.median(loads):.1f}, "
            f"max {max(loads):.1f} on {result['machine']['cpus']} cores."
        )
    return "\n".join(lines)


def machine() -> dict:
    from importlib.metadata import PackageNotFoundError, version

    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    versions = {"python": platform.python_version()}
    for pkg in ("duckdb", "dbt-core", "dbt-duckdb", "dagster", "great_expectations", "pandas"):
        with contextlib.suppress(PackageNotFoundError):
            versions[pkg] = version(pkg)  # metadata only: importing them would grow the runner
    return {
        "cpus": os.cpu_count(),
        "memory_gb": round(mem_gb, 1),
        "platform": platform.platform(),
        **versions,
    }
