"""Table and column descriptions from the dbt YAML, so the served copy explains itself to BI users."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import yaml

from xmdw.core.paths import DBT_PROJECT_DIR, SEEDS_DIR

# libyaml's loader when PyYAML has it: the dbt YAML is large and the pure-Python parser takes seconds.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class TableDoc:
    description: str = ""
    columns: dict[str, str] = field(default_factory=dict)


def _clean(text: object) -> str:
    # YAML folded scalars keep a trailing newline; BI tools show descriptions on one line.
    return " ".join(str(text or "").split())


def load_descriptions(
    model_dirs: tuple[Path, ...] = (DBT_PROJECT_DIR / "models", SEEDS_DIR),
) -> dict[str, TableDoc]:
    """Model/seed name → descriptions, read from every `_*.yml` under the given folders.

    A missing folder or unreadable file only means fewer descriptions, never a failed publish.
    """
    docs: dict[str, TableDoc] = {}
    for folder in model_dirs:
        if not folder.is_dir():
            continue
        for yml in sorted(folder.rglob("_*.yml")):
            try:
                spec = yaml.load(yml.read_text(encoding="utf-8"), Loader=_YAML_LOADER) or {}
            except (OSError, yaml.YAMLError):
                continue
            for kind in ("models", "seeds"):
                for node in spec.get(kind) or []:
                    if not isinstance(node, dict) or "name" not in node:
                        continue
                    cols = {
                        str(c["name"]): _clean(c.get("description"))
                        for c in node.get("columns") or []
                        if isinstance(c, dict) and "name" in c
                    }
                    docs[str(node["name"])] = TableDoc(_clean(node.get("description")), cols)
    return docs


def short_label(description: str) -> str:
    """The Chinese part of a bilingual '中文 — English' description (the whole text if there is no dash)."""
    return description.split(" — ", 1)[0].strip()


# --- Chinese names for BI users (issue 12): views marts_cn.<中文表名>, Chinese CSV/xlsx headers ---------------
# Rules (docs/bi.md#中文视图): a table's Chinese name is the Chinese label of its dbt description up to the
# first bracket or space (五率（按区县…） → 五率); a column's is the whole Chinese label (units stay:
# 本年累计完成投资（万元）). Without a Chinese label the snake_case name stays. Labels two columns share get
# the column name in brackets (入库时间（stored_at）); whatever still clashes gets a number.
CHINESE_SCHEMAS = {"marts": "marts_cn", "ref": "ref_cn"}
LABEL_MAX_CHARS = 40  # BI tools show long headers cut anyway; a longer label is cut here, deterministically
_HAS_CJK = re.compile(r"[\u4e00-\u9fff]")
_TABLE_CUT = re.compile(r"[（(\s]")


class _Named(Protocol):
    schema: str
    name: str
    columns: list[tuple[str, str]]

    @property
    def key(self) -> str: ...


@dataclass(frozen=True)
class ChineseNames:
    schema: str  # marts_cn / ref_cn
    table: str  # the view's name
    columns: list[str]  # in the table's column order

    @property
    def key(self) -> str:
        return f"{self.schema}.{self.table}"


def _tidy(label: str) -> str:
    # one line, no ASCII double quote (it would need escaping in every BI tool's SQL), bounded length
    return " ".join(label.replace('"', "＂").split())[:LABEL_MAX_CHARS]


def _unique(names: list[str], fallbacks: list[str]) -> list[str]:
    """Make names unique case-insensitively (DuckDB's rule): shared labels get their fallback in brackets,
    anything still equal a running number."""
    counts = Counter(n.lower() for n in names)
    out = [
        f"{n}（{f}）" if counts[n.lower()] > 1 and n != f else n
        for n, f in zip(names, fallbacks, strict=True)
    ]
    seen: set[str] = set()
    for i, n in enumerate(out):
        candidate, k = n, 1
        while candidate.lower() in seen:
            k += 1
            candidate = f"{n}_{k}"
        seen.add(candidate.lower())
        out[i] = candidate
    return out


def column_label(column: str, doc: TableDoc | None) -> str:
    label = _tidy(short_label(doc.columns.get(column, ""))) if doc else ""
    return label if _HAS_CJK.search(label) else column


def table_label(name: str, doc: TableDoc | None) -> str:
    head = _TABLE_CUT.split(short_label(doc.description), maxsplit=1)[0] if doc else ""
    head = _tidy(head)
    return head if _HAS_CJK.search(head) else name


def chinese_names(tables: Sequence[_Named], docs: dict[str, TableDoc]) -> dict[str, ChineseNames]:
    """Table key → its Chinese view name and column names (one naming for views, CSV and workbook)."""
    out: dict[str, ChineseNames] = {}
    for schema, cn_schema in CHINESE_SCHEMAS.items():
        mine = [t for t in tables if t.schema == schema]
        labels = _unique([table_label(t.name, docs.get(t.name)) for t in mine], [t.name for t in mine])
        for t, label in zip(mine, labels, strict=True):
            cols = [c for c, _ in t.columns]
            names = _unique([column_label(c, docs.get(t.name)) for c in cols], cols)
            out[t.key] = ChineseNames(cn_schema, label, names)
    return out


def tables_markdown(max_chars: int = 160) -> str:
    """One Markdown line per mart and seed described in the dbt YAML (the served tables, for docs/bi.md)."""
    lines = ["| 表 table | 说明 description |", "| --- | --- |"]
    for schema, folder in (("marts", DBT_PROJECT_DIR / "models" / "marts"), ("ref", SEEDS_DIR)):
        for name, doc in sorted(load_descriptions((folder,)).items()):
            text = doc.description.replace("|", "/")
            if len(text) > max_chars:
                text = text[: max_chars - 1].rstrip() + "…"
            lines.append(f"| `{schema}.{name}` | {text} |")
    return "\n".join(lines)
