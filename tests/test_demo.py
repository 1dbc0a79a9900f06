"""The demo-data generator: deterministic, consistent with the seed documents, and every file it writes
is read by the real parser exactly as intended (rejected rows and quarantined files only where injected)."""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from xmdw_demo import DemoSummary, generate

from xmdw.contract import load_contract
from xmdw.ingestion.parser import ParsedFile, parse_file
from xmdw.ingestion.problems import FileRejected

SEED = 7
ZB, BZ = "610728", "511902"


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(p.read_bytes())
            h.update(str(int(p.stat().st_mtime)).encode())
    return h.hexdigest()


class Parsed:
    def __init__(self, root: Path, summary: DemoSummary):
        self.root, self.summary = root, summary
        contract = load_contract()
        self.files: dict[str, ParsedFile] = {}
        self.quarantined: dict[str, FileRejected] = {}
        for f in summary.files:
            try:
                self.files[f["file"]] = parse_file(root / f["file"], contract)
            except FileRejected as exc:
                self.quarantined[f["file"]] = exc

    def rows(self, entity: str, latest: bool = True) -> list[dict]:
        """Rows of an entity in submission (mtime) order; with `latest`, one per natural key (last wins)."""
        order = sorted(self.files, key=lambda f: ((self.root / f).stat().st_mtime, f))
        out: dict = {}
        allrows = []
        for f in order:
            pf = self.files[f]
            if pf.entity.name != entity:
                continue
            for r in pf.rows:
                r = dict(r, _file=f)
                allrows.append(r)
                out[tuple(r.get(k) for k in pf.entity.natural_key)] = r
        return list(out.values()) if latest else allrows


@pytest.fixture(scope="module")
def county(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, DemoSummary]:
    root = tmp_path_factory.mktemp("demo") / "landing"
    return root, generate(root, scale="county", seed=SEED)


@pytest.fixture(scope="module")
def parsed(county: tuple[Path, DemoSummary]) -> Parsed:
    return Parsed(*county)


def test_same_seed_same_bytes_other_seed_differs(county, tmp_path: Path) -> None:
    root, summary = county
    again = generate(tmp_path / "again", seed=SEED)
    assert tree_digest(tmp_path / "again") == tree_digest(root)
    assert again.to_json() == summary.to_json()
    generate(tmp_path / "other", seed=SEED + 1)
    assert tree_digest(tmp_path / "other") != tree_digest(root)


def test_summary_shape(county) -> None:
    root, s = county
    assert s.regions == [ZB, BZ]
    assert s.files_written == len(s.files) == sum(s.files_by_entity.values())
    assert s.files_written == sum(1 for p in root.rglob("*") if p.is_file())
    assert {"projects", "annual_plans", "monthly_progress", "procedures", "investment_contracts", "funds",
            "fai_aggregates"} <= set(s.files_by_entity)  # fmt: skip
    assert (root / "镇巴县").is_dir() and (root / "巴州区").is_dir()
    kinds = {i["kind"] for i in s.injected}
    assert {"not_a_number", "missing_required_column", "not_a_ledger", "corrected_resubmission", "duplicate_key",
            "since_start_below_ytd", "ytd_decrease", "land_before_signing", "stats_library_below_threshold",
            "unknown_code"} <= kinds  # fmt: skip
    assert all(i["expect"] in {"rejected_row", "value_finding", "quarantined_file", "revision", "dq_warning", "dq_fatal"}
               for i in s.injected)  # fmt: skip
    assert '"injected"' in s.to_json()
    suffixes = {p.suffix for p in root.rglob("*") if p.is_file()}
    assert suffixes == {".xlsx", ".csv", ".docx"}


def test_every_file_parses_as_intended(county, parsed: Parsed) -> None:
    _, s = county
    expected_quarantine = {i["file"] for i in s.injected_by("quarantined_file")}
    assert set(parsed.quarantined) == expected_quarantine
    for f in s.files:
        if f["entity"] == "quarantine":
            continue
        pf = parsed.files[f["file"]]
        assert pf.entity.name == f["entity"], f["file"]
        assert len(pf.rows) + pf.rows_rejected == f["rows"], f["file"]


def test_rejected_rows_are_exactly_the_injected_ones(county, parsed: Parsed) -> None:
    _, s = county
    rejected = {(f, p.sheet, p.row) for f, pf in parsed.files.items() for p in pf.rejected}
    injected = {(i["file"], i["sheet"], i["row"]) for i in s.injected_by("rejected_row")}
    assert rejected == injected
    assert len(injected) >= 2  # a duplicated key (two rows)


def test_unreadable_optional_values_are_findings_and_rows_kept(county, parsed: Parsed) -> None:
    """本月完成投资 / 签约金额 / 下达金额 written as text: the value is left empty, the row is loaded."""
    _, s = county
    found = {(f, p.sheet, p.row, p.column) for f, pf in parsed.files.items() for p in pf.findings}
    injected = s.injected_by("value_finding")
    assert len(injected) == 3
    for i in injected:
        pf = parsed.files[i["file"]]
        assert any(f == i["file"] and r == i["row"] for f, _, r, _ in found), i
        row = next(r for r in pf.rows if r["_source_row"] == i["row"])
        assert row.get(i["column"].lstrip("@")) is None


def test_other_units_convert_to_wanyuan(county, parsed: Parsed) -> None:
    _, s = county
    assert any(c["declared_unit"] == "亿元" for c in s.unit_checks)
    for c in s.unit_checks:
        rec = next(r for r in parsed.files[c["file"]].rows if r["_source_row"] == c["row"])
        if "expected_wanyuan" in c:
            col = "total_investment" if "total_investment" in rec else "issued_amount"
            assert Decimal(rec[col]) == Decimal(c["expected_wanyuan"])
            assert Decimal(rec[col]) == Decimal(c["written"]) * 10000
        else:
            assert Decimal(rec["funds_in_place_usd"]) == Decimal(c["expected_wanmeiyuan"])


def test_project_register_carries_plausible_personal_data(parsed: Parsed) -> None:
    """联系人/联系电话/法人身份证号/填报人 are read from every register as text, in real-world shapes."""
    from xmdw_demo.personal import id_check_char

    rows = parsed.rows("projects")
    assert len(rows) > 200
    assert all(r["filled_by"] for r in rows)
    people = [r["contact_person"] for r in rows if r["contact_person"]]
    assert len(people) >= 0.9 * len(rows) and all(2 <= len(p) <= 3 for p in people)
    phones = [r["contact_phone"] for r in rows if r["contact_phone"]]
    assert phones and all(re.fullmatch(r"1\d{10}|0\d{3}-\d{7}", p) for p in phones)
    ids = [r["legal_person_id"] for r in rows if r["legal_person_id"]]
    assert len(ids) >= 0.3 * len(rows)
    assert all(len(i) == 18 and i[:6] in (ZB, BZ) and id_check_char(i[:17]) == i[17] for i in ids)


def test_zhenba_key_projects_match_the_plan(parsed: Parsed) -> None:
    projects = {r["project_id"]: r for r in parsed.rows("projects") if r["region_code"] == ZB}
    key = {pid: r for pid, r in projects.items() if r["key_level"]}
    assert len(key) == 45
    city = {pid for pid, r in key.items() if r["key_level"] == "市级"}
    assert len(city) == 30
    plans = [r for r in parsed.rows("annual_plans") if r["plan_version"] == "年初" and r["project_id"] in key]
    assert len(plans) == 45
    total = sum(Decimal(r["annual_planned_investment"]) for r in plans)
    assert abs(total - 558600) <= Decimal("0.03") * 558600
    assert sum(r["plan_category"] == "新开工" for r in plans) == 30
    city_plans = [r for r in plans if r["project_id"] in city]
    assert sum(r["plan_category"] == "新开工" for r in city_plans) == 17
    city_total = sum(Decimal(r["annual_planned_investment"]) for r in city_plans)
    assert abs(city_total - 433400) <= Decimal("0.03") * 433400
    assert sum(Decimal(r["total_investment"]) >= 50000 for r in key.values()) == 12
    stages = defaultdict(int)
    for r in projects.values():
        stages[r["stage"]] += 1
    assert stages["谋划"] >= 45 and stages["储备"] >= 28 and stages["竣工投产"] >= 14


def test_bazhou_key_projects(parsed: Parsed) -> None:
    key = {r["project_id"] for r in parsed.rows("projects") if r["region_code"] == BZ and r["key_level"]}
    assert len(key) == 135
    plans = [r for r in parsed.rows("annual_plans") if r["plan_version"] == "年初" and r["project_id"] in key]
    assert sum(r["plan_category"] == "新开工" for r in plans) == 50
    assert abs(sum(Decimal(r["annual_planned_investment"]) for r in plans) - 1500000) <= 45000


def test_progress_months_and_cumulative_ytd(county, parsed: Parsed) -> None:
    _, s = county
    rows = parsed.rows("monthly_progress")
    assert {int(r["month"]) for r in rows} == set(range(2, 13))
    names = [Path(f["file"]).name for f in s.files if f["entity"] == "monthly_progress"]
    assert not any("01月" in n for n in names)
    allowed = {(i["project_id"], i["month"]) for i in s.injected if i["kind"] == "ytd_decrease"}
    series: dict = defaultdict(dict)
    for r in rows:
        series[(r["project_id"], r["basis"])][int(r["month"])] = Decimal(r["ytd_completed"])
    decreases = set()
    for (pid, _basis), by_month in series.items():
        months = sorted(by_month)
        for a, b in zip(months, months[1:], strict=False):
            if by_month[b] < by_month[a]:
                decreases.add((pid, b))
    assert decreases == allowed and allowed
    assert {r["basis"] for r in rows} == {"DISPATCH", "STATS"}


def test_corrected_resubmission_is_later_and_revises(county, parsed: Parsed) -> None:
    root, s = county
    revs = s.injected_by("revision")
    assert revs
    corrected = root / revs[0]["file"]
    original = corrected.with_name(corrected.name.replace("_更正", ""))
    assert original.exists() and corrected.stat().st_mtime > original.stat().st_mtime
    first = {r["project_id"]: r for r in parsed.files[original.relative_to(root).as_posix()].rows}
    second = {r["project_id"]: r for r in parsed.files[revs[0]["file"]].rows}
    assert first.keys() == second.keys()
    changed = {pid for pid in first if first[pid]["ytd_completed"] != second[pid]["ytd_completed"]}
    assert changed == {i["project_id"] for i in revs}


def test_zero_rate_is_clean(tmp_path: Path) -> None:
    s = generate(tmp_path, seed=3, imperfection_rate=0)
    assert s.injected == []
    contract = load_contract()
    for f in s.files:
        pf = parse_file(tmp_path / f["file"], contract)
        assert pf.entity.name == f["entity"] and not pf.rejected, f["file"]
        assert pf.skipped_by_kind == {"header": 1}, (f["file"], pf.skipped_by_kind)
    assert {Path(f["file"]).suffix for f in s.files} == {".xlsx"}


def test_province_scale_small(tmp_path: Path) -> None:
    s = generate(tmp_path, scale="province", seed=1, regions=2, projects_per_region=25)
    assert len(s.regions) == 2 and all(code.startswith("61") for code in s.regions)
    contract = load_contract()
    rejected = set()
    months = set()
    for p in sorted(tmp_path.rglob("*.csv")):
        pf = parse_file(p, contract)
        rejected |= {(p.relative_to(tmp_path).as_posix(), r.row) for r in pf.rejected}
        if pf.entity.name == "monthly_progress":
            months |= {(r["year"], r["month"]) for r in pf.rows}
    assert rejected == {(i["file"], i["row"]) for i in s.injected_by("rejected_row")}
    assert {m for _, m in months} == {str(m) for m in range(2, 13)}
    assert {y for y, _ in months} == {"2023", "2024"}
    assert s.files_by_entity["monthly_progress"] == 2 * 22


def test_bad_arguments(tmp_path: Path) -> None:
    with pytest.raises(ValueError):
        generate(tmp_path, scale="planet")
    with pytest.raises(ValueError):
        generate(tmp_path, imperfection_rate=1.5)


def test_data_tables_keep_codes_as_text_and_amounts_as_numbers(parsed: Parsed) -> None:
    """The fixed tables are data files (xmdw_demo/tables): industry codes keep their leading zeros, amounts are
    numbers of the type they were written with, and a leading-zero code reaches the register as written."""
    from xmdw_demo import catalog
    from xmdw_demo.synthetic_world import KINDS

    industries = {t[2] for t in catalog.TEMPLATES}
    assert {"01", "0170", "0313"} <= industries
    assert all(isinstance(t[5], int) for t in catalog.TEMPLATES)
    assert catalog.ZB_KEY[0].total == 68000 and isinstance(catalog.ZB_KEY[0].total, int)
    assert all(isinstance(k[1], int) for k in KINDS)
    assert catalog.ZB_OWNERS["县水利局"] == ("镇巴县水利局", "镇巴县水务投资开发有限公司")
    assert catalog.SIGNING_EVENTS[BZ][0] == "西博会巴中专场"
    register = {r["industry_code"] for r in parsed.rows("projects")}
    assert {"0170", "0313"} & register


def test_county_key_projects_match_the_plan() -> None:
    """镇巴县's 45 county key projects: 30 市级 (17 新开工) + 15 县级 (13 新开工); 12 of 5亿 or more."""
    from xmdw_demo import catalog

    key = catalog.ZB_KEY
    assert len(key) == 45
    assert sum(s.level == "市级" for s in key) == 30
    assert sum(s.level == "市级" and s.category == "新开工" for s in key) == 17
    assert sum(s.level == "县级" and s.category == "新开工" for s in key) == 13
    assert sum(s.total >= 50000 for s in key) == 12
