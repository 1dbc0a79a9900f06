"""Deterministic demo data: the ledgers county units would submit, at three scales.

    from xmdw_demo import generate, DemoSummary
    summary = generate(Path("data/landing"), scale="county", seed=2024, imperfection_rate=0.15)

- ``county``   镇巴县 (610728) and 巴州区 (511902) as in the seed documents: ~320 files (xlsx, one GBK
  CSV, one UTF-8-with-BOM CSV, a .docx), ~300 projects, ~2,700 progress rows, magnitudes from the
  plans (45 key projects, 55.86亿 annual plan, 135 市区重点项目 …). Real-world quirks with probability
  `imperfection_rate` per unit ledger format, plus a fixed set of deliberately bad things (listed in
  ``summary.injected``) when the rate is above zero. About 1.5 s.
- ``province`` 100 synthetic counties (61xxxx) × ~150 projects, UTF-8 CSV, two plan years
  (plan_year-1 and plan_year, report months 2..12), one file per region per ledger (progress: per
  region per month): 2,800 files, ~26 MB, ~150,000 progress rows. About 1 s.
- ``nation``   2,790 synthetic counties (31 provinces), ~1,000,000 projects, 22 report months, one
  file per region per ledger (progress: all months in one file, without project names), written
  streaming (one region in memory at a time): ~19,500 files, ~1.2 GB of CSV, ~9.8 million progress
  rows, ~1 minute. Only run it on purpose.

Same seed → byte-identical files and identical file modification times (submission order; a
corrected resubmission is always later than what it corrects). No wall-clock time is used.
"""

from __future__ import annotations

from pathlib import Path

from xmdw_demo.summary import DemoSummary

SCALES = ("county", "province", "nation")


def generate(
    out_dir: Path,
    scale: str = "county",
    seed: int = 2024,
    imperfection_rate: float = 0.15,
    plan_year: int = 2024,
    *,
    regions: int | None = None,
    projects_per_region: int | None = None,
) -> DemoSummary:
    """Write demo ledgers under `out_dir` (one sub-folder per region) and describe what was written.

    `regions` / `projects_per_region` override the synthetic scales' size (benchmarks, tests).
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}: choose one of {', '.join(SCALES)}")
    if not 0 <= imperfection_rate <= 1:
        raise ValueError("imperfection_rate must be between 0 and 1")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    summary = DemoSummary(scale=scale, seed=seed, imperfection_rate=imperfection_rate, plan_year=plan_year)
    if scale == "county":
        from xmdw_demo.county import generate_county

        generate_county(out_dir, seed, imperfection_rate, plan_year, summary)
    else:
        from xmdw_demo.synthetic import generate_synthetic

        generate_synthetic(
            out_dir, scale, seed, imperfection_rate, plan_year, summary, regions, projects_per_region
        )
    return summary


__all__ = ["DemoSummary", "SCALES", "generate"]
