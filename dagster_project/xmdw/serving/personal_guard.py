"""The last line of defence for personal data (个人信息): publishing refuses a copy that holds it unmasked.

dbt staging masks every contract column marked `personal` (macro mask_personal: 张三丰 → 张**, 13812345678 →
138****5678, an ID number → its first 6 and last 4 characters around 8 stars). This guard does not trust
that: before anything is served it looks at every published column *named like* a personal field of the
contract (its name, Chinese header or an alias, or a name ending in `_<field>`), and refuses the publish
if one non-empty value shows more characters than the mask leaves visible. So a future mart that selects
raw 联系电话 or 身份证号 stops the publish instead of reaching BI users.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb

from xmdw.contract import load_contract
from xmdw.serving.copy import CopiedTable, PublishError
from xmdw.warehouse.connect import connect

# What the mask leaves visible per kind (characters other than '*'), and how long a value may be with no
# star at all (a one-character name is its own mask).
VISIBLE_CHARS = {"name": 1, "phone": 7, "id_number": 10}
STARLESS_MAX = {"name": 1, "phone": 0, "id_number": 0}
KIND_ZH = {"name": "姓名", "phone": "电话号码", "id_number": "身份证号"}
_EXAMPLES = 3


@dataclass(frozen=True)
class PersonalField:
    name: str  # contract column
    zh: str
    kind: str
    spellings: frozenset[str]  # lower-case names a published column may carry


@dataclass(frozen=True)
class Leak:
    table: str  # schema.table
    column: str
    field: PersonalField
    rows: int
    examples: tuple[str, ...]  # shown half-hidden: the message must not leak what it guards


def personal_fields() -> list[PersonalField]:
    """Every personal column of the contract, once per contract column name."""
    found: dict[str, PersonalField] = {}
    for entity in load_contract().entities.values():
        for c in entity.columns:
            if c.personal and c.name not in found:
                spellings = frozenset(s.lower() for s in (c.name, c.zh, *c.aliases))
                found[c.name] = PersonalField(c.name, c.zh, c.personal, spellings)
    return list(found.values())


def field_of(column: str, fields: Sequence[PersonalField]) -> PersonalField | None:
    """The personal field a published column is named like, or None."""
    col = column.lower()
    for f in fields:
        if col in f.spellings or col.endswith(f"_{f.name}"):
            return f
    return None


def unmasked_predicate(column_sql: str, kind: str) -> str:
    """SQL (DuckDB) true for a non-empty value that shows more than the mask of `kind` leaves visible."""
    v = f"trim(CAST({column_sql} AS VARCHAR))"
    return (
        f"({v} <> '' AND (length(replace({v}, '*', '')) > {VISIBLE_CHARS[kind]} "
        f"OR (strpos({v}, '*') = 0 AND length({v}) > {STARLESS_MAX[kind]})))"
    )


def half_hidden(value: str) -> str:
    """An example for the error message that does not itself disclose the value."""
    return value[:1] + "…" + f"（{len(value)}位）"


def find_leaks(con: duckdb.DuckDBPyConnection, catalog: str, tables: Sequence[CopiedTable]) -> list[Leak]:
    """Unmasked personal values in the tables of `catalog` (a DuckDB connection with the copy attached)."""
    fields = personal_fields()
    leaks = []
    for t in tables:
        for column, _ in t.columns:
            f = field_of(column, fields)
            if f is None:
                continue
            q = '"' + column.replace('"', '""') + '"'
            where = unmasked_predicate(q, f.kind)
            src = f'"{catalog}"."{t.schema}"."{t.name}"'
            n = con.execute(f"SELECT count(*) FROM {src} WHERE {where}").fetchall()[0][0]
            if n:
                rows = con.execute(
                    f"SELECT CAST({q} AS VARCHAR) FROM {src} WHERE {where} LIMIT {_EXAMPLES}"
                ).fetchall()
                leaks.append(Leak(t.key, column, f, int(n), tuple(half_hidden(r[0]) for r in rows)))
    return leaks


def leak_message(leaks: Sequence[Leak]) -> str:
    lines = ["发布已中止：以下已发布列含未脱敏的个人信息，本次未发布任何内容（BI 仍读取上一版）："]
    for k in leaks:
        lines.append(
            f"  表 {k.table} 列 {k.column}（按数据契约为“{k.field.zh}”，{KIND_ZH[k.field.kind]}）："
            f"{k.rows} 行未脱敏，例如 {'、'.join(k.examples)}"
        )
    lines.append("处理：在 dbt 模型中对该列使用 mask_personal 宏（或不发布该列），重新构建后再发布。")
    lines.append("Publish refused: unmasked personal data in published columns; nothing was published.")
    return "\n".join(lines)


def refuse_unmasked(served_copy: Path, tables: Sequence[CopiedTable]) -> None:
    """Raise PublishError (Chinese) when the not-yet-served copy holds an unmasked personal value."""
    con = connect()
    try:
        con.execute(f"ATTACH '{str(served_copy).replace(chr(39), chr(39) * 2)}' AS guarded (READ_ONLY)")
        leaks = find_leaks(con, "guarded", tables)
    finally:
        con.close()
    if leaks:
        raise PublishError(leak_message(leaks))
