"""Table and column descriptions from the dbt YAML, so the served copy explains itself to BI users."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from xmdw.paths import DBT_PROJECT_DIR, SEEDS_DIR


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
                spec = yaml.safe_load(yml.read_text(encoding="utf-8")) or {}
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
