"""`xmdw diff --from VERSION --to VERSION` (or `--month YYYY-MM`): which published figures changed between
two versions, old → new, and which ledger rows caused it — "what did the March bulletin say, and why is
it different now".

Both versions are read from their snapshots (data/serving/versions/<id>/figure_values.parquet and
figure_sources.parquet) by an in-memory DuckDB session, on either engine: publishing writes the versions
as files from the published marts on PostgreSQL too (no warehouse is opened here). A cause is a source
row of the figure (same ledger and natural key) whose file, row, revision or contribution differs between
the versions, or a member that entered or left the figure.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from xmdw.lineage.text import ENTITY_ZH, num_text, period_zh, source_text, value_text
from xmdw.serving.versions import Version, get_version, issued, list_versions
from xmdw.warehouse.connect import connect

FIGURE_KEY = ["figure_kind", "figure_id", "region_code", "year", "month"]
SOURCE_KEY = [*FIGURE_KEY, "member_id", "source_entity", "source_key"]


@dataclass
class Cause:
    member_id: str
    member_name: str
    source_entity: str
    source_field: str | None
    old_value: str | None
    new_value: str | None
    old_source: dict | None  # file, sheet, row, revision, unit; None when the row is new in the figure
    new_source: dict | None  # None when the row left the figure

    def text(self) -> str:
        name = f"{self.member_name or self.member_id}（{self.member_id}）"
        what = ENTITY_ZH.get(self.source_entity, self.source_entity)
        if self.old_source is None:
            head = f"新计入：{name} {what} {self.source_field or ''}＝{self.new_value or ''}"
        elif self.new_source is None:
            head = f"不再计入：{name} {what} {self.source_field or ''}＝{self.old_value or ''}"
        else:
            head = f"{name} {what} {self.source_field or ''}：{self.old_value or '空'} → {self.new_value or '空'}"
        lines = [head]
        for label, src in (("原", self.old_source), ("现", self.new_source)):
            if src is not None:
                lines.append(
                    f"    {label}："
                    + source_text(src["file"], src["sheet"], src["row"], src["revision"], src["unit"])
                )
        return "\n".join(lines)


@dataclass
class FigureChange:
    figure_kind: str
    figure_id: str
    region_code: str
    year: int
    month: int
    label: str
    unit: str | None
    old: tuple  # (value, numerator, denominator); None values when the figure is new
    new: tuple
    causes: list[Cause] = field(default_factory=list)

    def text(self) -> str:
        head = (
            f"{self.figure_id} {self.label}｜{self.region_code}｜{period_zh(self.year, self.month)}："
            f"{value_text(self.old[0], self.unit)} → {value_text(self.new[0], self.unit)}"
        )
        if self.old[1] is not None or self.new[1] is not None:
            head += (
                f"（分子 {num_text(self.old[1])} → {num_text(self.new[1])}；"
                f"分母 {num_text(self.old[2])} → {num_text(self.new[2])}）"
            )
        lines = [head]
        if self.causes:
            lines.append("  原因：")
            lines += ["  - " + c.text().replace("\n", "\n    ") for c in self.causes]
        else:
            lines.append("  原因：来源行未变（口径或参考数据调整，或该数字未逐行溯源）")
        return "\n".join(lines)


@dataclass
class VersionDiff:
    old: Version
    new: Version
    month: tuple[int, int] | None
    changes: list[FigureChange]
    files_added: list[str]
    files_removed: list[str]

    def text(self) -> str:
        lines = [
            f"数据版本比较：{self.old.version_id}（{self.old.published_at_cst} 发布）→ "
            f"{self.new.version_id}（{self.new.published_at_cst} 发布）"
        ]
        if self.month:
            lines.append(f"范围：{period_zh(*self.month)}的数字")
        if self.files_added:
            lines.append("新增输入文件：" + "、".join(self.files_added))
        if self.files_removed:
            lines.append("不再使用的输入文件：" + "、".join(self.files_removed))
        if not self.changes:
            lines.append("发布的数字没有变化。")
            return "\n".join(lines)
        lines.append(f"变化的数字：{len(self.changes)} 个")
        lines += [f"{i}. " + c.text() for i, c in enumerate(self.changes, start=1)]
        return "\n".join(lines)


def _lit(path: Path) -> str:
    return "'" + str(path).replace("'", "''") + "'"


def _changed_figures(con: duckdb.DuckDBPyConnection, old: Version, new: Version, month_filter: str) -> list:
    return con.execute(
        f"""
        SELECT coalesce(n.figure_kind, o.figure_kind), coalesce(n.figure_id, o.figure_id),
               coalesce(n.region_code, o.region_code), coalesce(n.year, o.year), coalesce(n.month, o.month),
               coalesce(n.label_zh, o.label_zh), coalesce(n.unit, o.unit),
               o.value, o.numerator, o.denominator, n.value, n.numerator, n.denominator
        FROM read_parquet({_lit(old.parquet("figure_values"))}) AS o
        FULL OUTER JOIN read_parquet({_lit(new.parquet("figure_values"))}) AS n USING ({", ".join(FIGURE_KEY)})
        WHERE (o.value IS DISTINCT FROM n.value OR o.numerator IS DISTINCT FROM n.numerator
               OR o.denominator IS DISTINCT FROM n.denominator) {month_filter}
        ORDER BY 4, 5, 3, 1 DESC, 2
        """
    ).fetchall()


def _causes(con: duckdb.DuckDBPyConnection, old: Version, new: Version, month_filter: str) -> dict:
    """Per changed figure key: the source rows that differ between the versions."""
    cols = ", ".join(SOURCE_KEY)
    rows = con.execute(
        f"""
        SELECT {cols}, coalesce(n.member_name, o.member_name), coalesce(n.source_field_zh, o.source_field_zh),
               o.source_value, n.source_value,
               o.source_file, o.source_sheet, o.source_row, o.revision, o.submitting_unit,
               n.source_file, n.source_sheet, n.source_row, n.revision, n.submitting_unit,
               o.figure_id IS NULL AS is_new, n.figure_id IS NULL AS is_gone
        FROM read_parquet({_lit(old.parquet("figure_sources"))}) AS o
        FULL OUTER JOIN read_parquet({_lit(new.parquet("figure_sources"))}) AS n USING ({cols})
        WHERE (o.figure_id IS NULL OR n.figure_id IS NULL
               OR o.source_file_id IS DISTINCT FROM n.source_file_id OR o.source_row IS DISTINCT FROM n.source_row
               OR o.revision IS DISTINCT FROM n.revision
               OR o.numerator_part IS DISTINCT FROM n.numerator_part
               OR o.denominator_part IS DISTINCT FROM n.denominator_part
               OR o.value_part IS DISTINCT FROM n.value_part) {month_filter}
        ORDER BY {cols}
        """
    ).fetchall()
    out: dict[tuple, list[Cause]] = {}
    for r in rows:
        key, (member_id, entity, _), rest = tuple(r[:5]), r[5:8], r[8:]
        name, field_zh, old_value, new_value = rest[:4]
        old_src = dict(zip(("file", "sheet", "row", "revision", "unit"), rest[4:9], strict=True))
        new_src = dict(zip(("file", "sheet", "row", "revision", "unit"), rest[9:14], strict=True))
        is_new, is_gone = rest[14], rest[15]
        out.setdefault(key, []).append(
            Cause(
                member_id,
                name,
                entity,
                field_zh,
                old_value,
                new_value,
                None if is_new else old_src,
                None if is_gone else new_src,
            )  # fmt: skip
        )
    return out


def _files(version: Version) -> dict[str, str]:
    path = version.parquet("input_files")
    if not path.exists():
        return {}
    con = connect()
    try:
        return dict(con.execute(f"SELECT sha256, file_name FROM read_parquet({_lit(path)})").fetchall())
    finally:
        con.close()


def diff_versions(
    serving_dir: Path, old_id: str, new_id: str, month: tuple[int, int] | None = None
) -> VersionDiff:
    """The figures that differ between two versions (only those of `month` = (year, month) if given)."""
    old, new = get_version(serving_dir, old_id), get_version(serving_dir, new_id)
    month_filter = f"AND year = {int(month[0])} AND month = {int(month[1])}" if month else ""
    con = connect()
    try:
        figures = _changed_figures(con, old, new, month_filter)
        causes = _causes(con, old, new, month_filter)
    finally:
        con.close()
    changes = [
        FigureChange(
            *r[:5],
            label=r[5] or r[1],
            unit=r[6],
            old=tuple(r[7:10]),
            new=tuple(r[10:13]),
            causes=causes.get(tuple(r[:5]), []),
        )  # fmt: skip
        for r in figures
    ]
    old_files, new_files = _files(old), _files(new)
    return VersionDiff(
        old=old,
        new=new,
        month=month,
        changes=changes,
        files_added=sorted(name for sha, name in new_files.items() if sha not in old_files),
        files_removed=sorted(name for sha, name in old_files.items() if sha not in new_files),
    )


def bulletin_version(serving_dir: Path, year: int, month: int) -> str:
    """The version the issued 月通报 of (year, month) was written from (versions/issued.json)."""
    stem = f"月通报_{year}-{month:02d}"
    entry = issued(serving_dir).get(stem)
    if entry is None:
        raise LookupError(f"没有找到已印发的 {stem}（未记录其数据版本）— no issued bulletin {stem} on record")
    return entry["version_id"]


def latest_version_id(serving_dir: Path) -> str:
    versions = list_versions(serving_dir)
    if not versions:
        raise LookupError("尚无发布版本（data/serving/versions/ 为空）— no published version yet")
    return versions[-1].version_id
