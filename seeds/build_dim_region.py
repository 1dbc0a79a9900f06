"""Build seeds/dim_region.csv — the national 行政区划 list (GB/T 2260, county level and above).

Source: `cpca/resources/adcodes.csv` of the MIT-licensed PyPI package cpca 0.5.5 (a 2020 snapshot of the
NBS/MCA region codes). Run once by a developer when the list is refreshed; the CSV is committed, nothing is
downloaded at build or test time:

    pip download cpca==0.5.5 --no-deps -d /tmp/cpca && unzip -o /tmp/cpca/*.whl -d /tmp/cpca/x
    python seeds/build_dim_region.py /tmp/cpca/x/cpca/resources/adcodes.csv

Rows already in the seed keep their short names (titles of the bulletins use them); 市辖区/县 placeholder
rows of the municipalities are left out (they are not regions anyone reports for).
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

SEED = Path(__file__).with_name("dim_region.csv")
FIELDS = ["region_code", "name_zh", "short_name_zh", "level", "parent_code", "province_zh", "city_zh"]
PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}
COUNTY_SUFFIXES = ("自治县", "自治旗", "县", "旗", "特区", "林区")


def _short(name: str) -> str:
    for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "地区", "自治县", "自治旗",
                   "省", "市", "县", "区", "旗", "盟"):  # fmt: skip
        if name.endswith(suffix) and len(name) - len(suffix) >= 2:
            return name[: -len(suffix)]
    return name


def _level(code: str, name: str) -> str:
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "city"
    return "district" if name.endswith("区") and not name.endswith(COUNTY_SUFFIXES) else "county"


def build(source: Path) -> list[dict[str, str]]:
    names = {}
    with source.open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            code = r["adcode"][:6]
            if r["name"] not in PLACEHOLDERS:
                names[code] = r["name"]
    kept = {}
    if SEED.exists():
        with SEED.open(encoding="utf-8") as f:
            kept = {r["region_code"]: r for r in csv.DictReader(f)}
    rows = []
    for code in sorted(names):
        name, level = names[code], _level(code, names[code])
        province = names.get(code[:2] + "0000", "")
        city = names.get(code[:4] + "00", "") if level != "province" else ""
        parent = (
            ""
            if level == "province"
            else (code[:4] + "00" if city and level != "city" else code[:2] + "0000")
        )
        row = {
            "region_code": code,
            "name_zh": name,
            "short_name_zh": kept.get(code, {}).get("short_name_zh") or _short(name),
            "level": level,
            "parent_code": parent,
            "province_zh": province,
            "city_zh": name if level == "city" else city,
        }
        rows.append(row)
    return rows


def main(argv: list[str]) -> int:
    rows = build(Path(argv[1]))
    with SEED.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, FIELDS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    print(f"{SEED}: {len(rows)} regions")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
