"""The benchmark floor (issue 6, generated since issue 13): bench/make_floor.py turns `dbt compile` output
into one DuckDB script of every model, and that script computes exactly what `dbt build` builds.

The structure test compiles the dbt project (e2e: dbt, no pipeline). The equality tests build the county
demo through the whole pipeline (~40 s, heavy: `make test-heavy`); `make bench` runs the same check at
every scale.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from xmdw_demo import generate

from xmdw.core.paths import DataPaths
from xmdw.defs.pipeline import run_pipeline

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))
from check_floor import compare  # noqa: E402
from make_floor import HEADER, compile_manifest, floor_script, read_relations  # noqa: E402


@pytest.fixture(scope="module")
def compiled(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, Path]:
    """The manifest of one `dbt compile` (private target path) and the floor written from it."""
    tmp = tmp_path_factory.mktemp("floor")
    manifest = compile_manifest(tmp / "target")
    script, _ = floor_script(manifest)
    floor = tmp / "floor.sql"
    floor.write_text(script, encoding="utf-8")
    return manifest, floor


@pytest.fixture(scope="module")
def county_warehouse(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The county demo built by the whole pipeline (ingest → GX → dbt build), in its own data dir."""
    root = tmp_path_factory.mktemp("floor_county") / "data"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("XMDW_DATA_DIR", str(root))
        mp.setenv("XMDW_WAREHOUSE", str(root / "warehouse.duckdb"))
        paths = DataPaths(root).ensure()
        generate(paths.landing, scale="county", seed=2024, imperfection_rate=0.15)
        summary = run_pipeline()
    assert summary.success, summary.failed_steps
    return paths.warehouse


@pytest.mark.e2e
def test_the_floor_holds_every_model_after_what_it_reads(compiled: tuple[dict, Path]) -> None:
    manifest, floor = compiled
    script = floor.read_text(encoding="utf-8")
    assert script.startswith(HEADER)
    nodes = manifest["nodes"].values()
    built = [n for n in nodes if n["resource_type"] == "model" and n["config"]["materialized"] != "ephemeral"]
    models = {n["name"]: n["config"]["materialized"] for n in built}
    seeds_read = {
        manifest["nodes"][d]["name"] for n in built for d in n["depends_on"]["nodes"] if d.startswith("seed.")
    }
    relations = read_relations(script)
    by_name = {r.name: r for r in relations}
    assert len(by_name) == len(relations)
    # every model dbt builds (views as views), the seeds they read; no data test, no source
    assert {r.name: r.kind for r in relations if r.kind != "seed"} == {
        m: "view" if mat == "view" else "table" for m, mat in models.items()
    }
    assert {r.name for r in relations if r.kind == "seed"} == seeds_read

    def created_at(name: str) -> int:  # where the script creates the relation
        kind = "view" if by_name[name].kind == "view" else "table"
        return script.index(f'create or replace {kind} "floor"."{name}"')

    for n in nodes:
        if n["name"] in models:
            for dep in n["depends_on"]["nodes"]:
                parent = manifest["nodes"].get(dep, {}).get("name")
                if parent in by_name:
                    assert created_at(parent) < created_at(n["name"]), (parent, n["name"])
    # ref() and source() resolved to the floor schema and the raw tables, not to dbt's database
    for db in {n["database"] for n in nodes}:
        assert f'"{db}".' not in script


@pytest.mark.heavy
def test_the_floor_equals_the_dbt_build_on_the_county_demo(
    compiled: tuple[dict, Path], county_warehouse: Path
) -> None:
    result = compare(county_warehouse, compiled[1])
    assert result.ok, result.report()
    unequal = [d.relation.name for d in result.diffs if not d.equal]
    assert unequal == [], result.report()  # every relation built by dbt and compared, none skipped
    marts = [d for d in result.diffs if d.relation.dbt_schema == "marts"]
    assert marts and sum(d.floor_rows for d in marts) > 1000  # equal, and not because empty


@pytest.mark.heavy
def test_the_check_finds_one_missing_row(
    compiled: tuple[dict, Path], county_warehouse: Path, tmp_path: Path
) -> None:
    """The comparison can fail: the same floor minus one row of its last mart is not equal."""
    script = compiled[1].read_text(encoding="utf-8")
    last = [r for r in read_relations(script) if r.kind == "table"][-1]
    broken = tmp_path / "floor.sql"
    table = f'"floor"."{last.name}"'
    broken.write_text(
        f"{script}\ndelete from {table} where rowid in (select rowid from {table} limit 1);\n",
        encoding="utf-8",
    )
    result = compare(county_warehouse, broken)
    assert not result.ok
    diffs = [d for d in result.diffs if not d.equal]
    assert [(d.relation.name, d.only_in_floor, d.only_in_dbt) for d in diffs] == [(last.name, 0, 1)]
