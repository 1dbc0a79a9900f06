"""The data contract: raw entities, their columns, Chinese headers, aliases, types and code lists.

`contract.yml` (entities) and `seeds/code_lists.csv` (code lists) are the single definition; this
module only loads them into typed objects that ingestion, templates, docs and tests share.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path

import yaml

from xmdw.core.paths import SEEDS_DIR

CONTRACT_FILE = Path(__file__).with_name("contract.yml")

COLUMN_TYPES = {"text", "code", "int", "year", "month", "money", "usd", "ratio", "number", "date", "bool"}

# DuckDB column type for each contract type (raw layer; staging re-casts portably).
SQL_TYPES = {
    "text": "VARCHAR",
    "code": "VARCHAR",
    "int": "BIGINT",
    "year": "INTEGER",
    "month": "INTEGER",
    "money": "DECIMAL(18,4)",  # 万元 with 元 precision
    "usd": "DECIMAL(18,4)",
    "ratio": "DECIMAL(12,6)",
    "number": "DOUBLE",
    "date": "DATE",
    "bool": "BOOLEAN",
}

NUMERIC_TYPES = {"int", "year", "month", "money", "usd", "ratio", "number"}
# Largest magnitude each stored numeric type holds: a declared range must fit inside it.
STORAGE_LIMITS = {"money": Decimal("1e14"), "usd": Decimal("1e14"), "ratio": Decimal("1e6")}
RATIO_SCALES = {"fraction_up_to_1", "percent_points"}
# Kinds of personal data (个人信息) a text column may hold: masked in staging, guarded at publishing.
PERSONAL_KINDS = {"name", "phone", "id_number"}

# Invisible characters (zero-width space/joiners, word joiner, BOM) never part of a header.
_INVISIBLE_RE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")

# Lineage columns every raw row carries (name, SQL type, description).
LINEAGE_COLUMNS: list[tuple[str, str, str]] = [
    ("_file_id", "VARCHAR", "Id of the ingested file (first 16 hex of its SHA-256)"),
    ("_source_file", "VARCHAR", "File name as submitted"),
    ("_file_sha256", "VARCHAR", "SHA-256 of the submitted file"),
    ("_sheet", "VARCHAR", "Sheet name (CSV: the file name)"),
    ("_source_row", "INTEGER", "1-based row number in the sheet, as Excel shows it"),
    ("_submitting_unit", "VARCHAR", "Unit that submitted the ledger (填报单位)"),
    ("_money_units", "VARCHAR", "Declared unit per money column, JSON, before normalisation"),
    ("_extra", "VARCHAR", "Columns the contract does not know, JSON (kept, never dropped)"),
    ("_revision", "INTEGER", "1 for the first version of a natural key, +1 per resubmission"),
    ("_ingested_at", "TIMESTAMP", "When the row was loaded"),
]


def normalise_header(text: object) -> str:
    """Canonical form of a header cell for matching: NFKC, no whitespace, no required-marks."""
    s = unicodedata.normalize("NFKC", _INVISIBLE_RE.sub("", str(text or "")))
    s = re.sub(r"\s+", "", s)
    return s.strip("*※★:：")


@dataclass(frozen=True)
class Column:
    name: str
    zh: str
    type: str
    en: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    code_list: str | None = None
    default: str | None = None
    help: str = ""  # Chinese: what the column means (template comments)
    range: tuple[Decimal, Decimal] | None = None  # numeric columns: allowed [min, max], stored unit
    ratio_scale: str = "fraction_up_to_1"
    personal: str | None = None  # name | phone | id_number: personal data, masked before publishing

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def headers(self) -> tuple[str, ...]:
        """All accepted header spellings, normalised, the template header first."""
        return tuple(dict.fromkeys(normalise_header(h) for h in (self.zh, *self.aliases)))

    @property
    def unit_zh(self) -> str | None:
        return {"money": "万元", "usd": "万美元", "ratio": "%"}.get(self.type)

    @property
    def is_identifier(self) -> bool:
        """A key or code typed as text (项目编号, 区划代码, 行业代码 …): never read as a number."""
        # Phone and ID numbers are digit strings too: a number cell must not lose or invent digits.
        return self.type == "text" and (
            self.name.endswith(("_id", "_code")) or self.personal in ("phone", "id_number")
        )


@dataclass(frozen=True)
class Entity:
    name: str
    zh: str
    en: str
    template_file: str
    natural_key: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def table(self) -> str:
        return self.name

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name}.{name}")

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    @property
    def required_in_header(self) -> tuple[Column, ...]:
        """Required columns that must appear as headers (those with a file-level default need not)."""
        return tuple(c for c in self.required if c.default is None)


@dataclass(frozen=True)
class CodeValue:
    code: str
    label_zh: str
    label_en: str
    aliases: tuple[str, ...]


@dataclass(frozen=True)
class CodeList:
    name: str
    values: tuple[CodeValue, ...]
    _lookup: dict[str, str] = field(default_factory=dict, compare=False, repr=False)

    def normalise(self, raw: str) -> str | None:
        """Map a code, label or alias to the canonical code; None when unknown."""
        return self._lookup.get(normalise_header(raw))

    @property
    def labels(self) -> list[str]:
        """What a unit picks in a template drop-down: the label (code in front where numeric)."""
        return [f"{v.code} {v.label_zh}" if v.code.isdigit() else v.label_zh for v in self.values]


@dataclass(frozen=True)
class Contract:
    version: int
    entities: dict[str, Entity]
    code_lists: dict[str, CodeList]

    def entity(self, name: str) -> Entity:
        return self.entities[name]


def _load_code_lists(path: Path) -> dict[str, CodeList]:
    grouped: dict[str, list[CodeValue]] = {}
    with path.open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            aliases = tuple(a for a in (row["aliases"] or "").split("|") if a)
            grouped.setdefault(row["list_name"], []).append(
                CodeValue(row["code"], row["label_zh"], row["label_en"], aliases)
            )
    lists = {}
    for name, values in grouped.items():
        lookup: dict[str, str] = {}
        for v in values:
            numbered = f"{v.code}{v.label_zh}" if v.code.isdigit() else None
            for spelling in (v.code, v.label_zh, v.label_en, numbered, *v.aliases):
                if spelling:
                    lookup.setdefault(normalise_header(spelling), v.code)
        lists[name] = CodeList(name, tuple(values), lookup)
    return lists


def _range(name: str, col: dict, type_ranges: dict) -> tuple[Decimal, Decimal] | None:
    """The column's declared range, else its type's; checked against what the storage type holds."""
    spec = col.get("range", type_ranges.get(col["type"]))
    if spec is None:
        return None
    low, high = (Decimal(str(x)) for x in spec)
    limit = STORAGE_LIMITS.get(col["type"])
    if low > high or (limit is not None and max(abs(low), abs(high)) >= limit):
        raise ValueError(f"contract: {name}.{col['name']} range {spec} does not fit {col['type']} storage")
    return low, high


def _load_entity(name: str, spec: dict, type_ranges: dict) -> Entity:
    cols = []
    for c in spec["columns"]:
        if c["type"] not in COLUMN_TYPES:
            raise ValueError(f"contract: {name}.{c['name']} has unknown type {c['type']!r}")
        if c.get("ratio_scale", "fraction_up_to_1") not in RATIO_SCALES:
            raise ValueError(f"contract: {name}.{c['name']} has unknown ratio_scale {c['ratio_scale']!r}")
        if c.get("personal") is not None and (c["personal"] not in PERSONAL_KINDS or c["type"] != "text"):
            raise ValueError(
                f"contract: {name}.{c['name']} personal must be one of {sorted(PERSONAL_KINDS)} on text"
            )
        cols.append(
            Column(
                name=c["name"],
                zh=c["zh"],
                type=c["type"],
                en=c["en"],
                required=bool(c.get("required", False)),
                aliases=tuple(c.get("aliases", ())),
                code_list=c.get("code_list"),
                default=None if c.get("default") is None else str(c["default"]),
                help=c.get("help", ""),
                range=_range(name, c, type_ranges),
                ratio_scale=c.get("ratio_scale", "fraction_up_to_1"),
                personal=c.get("personal"),
            )
        )
    return Entity(
        name=name,
        zh=spec["zh"],
        en=spec["en"],
        template_file=spec["template_file"],
        natural_key=tuple(spec["natural_key"]),
        columns=tuple(cols),
    )


@cache
def load_contract() -> Contract:
    raw = yaml.safe_load(CONTRACT_FILE.read_text(encoding="utf-8"))
    type_ranges = raw.get("type_ranges", {})
    entities = {name: _load_entity(name, spec, type_ranges) for name, spec in raw["entities"].items()}
    code_lists = _load_code_lists(SEEDS_DIR / "code_lists.csv")
    for e in entities.values():
        for c in e.columns:
            if c.type == "code" and c.code_list not in code_lists:
                raise ValueError(f"contract: {e.name}.{c.name} names unknown code list {c.code_list!r}")
            if c.name.startswith("_"):
                raise ValueError(f"contract: {e.name}.{c.name}: leading underscore is reserved for lineage")
        missing = set(e.natural_key) - {c.name for c in e.columns}
        if missing:
            raise ValueError(f"contract: {e.name} natural key names unknown columns {missing}")
    return Contract(version=raw["version"], entities=entities, code_lists=code_lists)
