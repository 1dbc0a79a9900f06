"""Generate everything that restates the contract: dbt sources, staging models and their docs, and
docs/data_contract.md. Run `xmdw contract-render` after editing contract.yml; a test fails when the
committed files differ from what this module generates.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from xmdw.contract import LINEAGE_COLUMNS, Column, Contract, Entity, load_contract
from xmdw.core.paths import DBT_PROJECT_DIR, PROJECT_ROOT

STAGING_DIR = DBT_PROJECT_DIR / "models" / "staging" / "raw"
GENERATED = "generated from dagster_project/xmdw/contract/contract.yml by `xmdw contract-render`; do not edit"

# Staging types, written once for every engine (issue 14). In the SQL, a type that engines spell differently
# is a dbt macro (dbt.type_string(), our type_double()); the YAML contract's data_type cannot call macros (dbt
# renders schema YAML with `target` only), so it names the type each engine reports.
TEXT = "{{ dbt.type_string() }}"
DOUBLE = "{{ type_double() }}"
STAGING_TYPES = {
    "text": TEXT,
    "code": TEXT,
    "int": "bigint",
    "year": "integer",
    "month": "integer",
    "money": "decimal(18,4)",
    "usd": "decimal(18,4)",
    "ratio": "decimal(12,6)",
    "number": DOUBLE,
    "date": "date",
    "bool": "boolean",
}
# The YAML data_type of each SQL type above: the same name on every engine, or per target.type.
_YAML_TYPE = {
    TEXT: "text",
    DOUBLE: "{{ 'double precision' if target.type == 'postgres' else 'double' }}",
}


def yaml_type(sql_type: str) -> str:
    """The data_type a staging YAML contract declares for a column cast to `sql_type`."""
    return _YAML_TYPE.get(sql_type, sql_type)


TYPE_ZH = {
    "text": "文本",
    "code": "代码",
    "int": "整数",
    "year": "年度",
    "month": "月份",
    "money": "金额（万元）",
    "usd": "金额（万美元）",
    "ratio": "比例（小数）",
    "number": "数值",
    "date": "日期",
    "bool": "是/否",
}

# Lineage columns as staging exposes them: (raw name, staging name, type, zh, en)
STAGING_LINEAGE = [
    (
        "_file_id",
        "source_file_id",
        TEXT,
        "来源文件编号",
        "Id of the ingested file (first 16 hex of its SHA-256)",
    ),
    ("_source_file", "source_file", TEXT, "来源文件名", "File name as submitted"),
    ("_sheet", "source_sheet", TEXT, "来源工作表", "Sheet name"),
    ("_source_row", "source_row", "integer", "来源行号", "Row number in the sheet, as Excel shows it"),
    ("_submitting_unit", "submitting_unit", TEXT, "填报单位", "Unit that submitted the ledger"),
    ("_revision", "revision", "integer", "修订版本", "Revision of this natural key (1 = first submission)"),
    ("_ingested_at", "ingested_at", "timestamp", "入库时间", "When the row was loaded"),
]


def _desc(zh: str, en: str) -> str:
    return f"{zh} — {en}"


def sources_yaml(contract: Contract) -> str:
    tables = []
    for e in contract.entities.values():
        cols = [{"name": c.name, "description": _desc(c.zh, c.en)} for c in e.columns]
        cols += [{"name": n, "description": d} for n, _, d in LINEAGE_COLUMNS]
        tables.append(
            {
                "name": e.table,
                "description": _desc(e.zh, e.en) + f" Append-only; natural key ({', '.join(e.natural_key)}).",
                "columns": cols,
            }
        )
    for name, zh, en in (
        (
            "ingest_log",
            "文件接收日志",
            "One row per file per ingestion attempt: status, row reconciliation, reason.",
        ),
        (
            "rejected_rows",
            "退回行清单",
            "Rows rejected at ingestion with file, sheet, row, column and reason.",
        ),
        ("skipped_rows", "跳过行清单", "Title, header, units, total, blank and note rows skipped, by file."),
        ("revision_changes", "更正变动记录", "Every figure changed by a corrected resubmission."),
        (
            "dq_excluded_rows",
            "数据质量暂扣行",
            "Rows held back from staging by fatal row-level data-quality rules until corrected "
            "(entity, _file_id, _sheet, _source_row, rule_id); recomputed on every run.",
        ),
    ):
        tables.append({"name": name, "description": _desc(zh, en)})
    doc = {
        "version": 2,
        "sources": [
            {
                "name": "raw",
                "description": "原始层：各单位报送台账经解析后的行，保留来源文件、工作表、行号 — raw ledger rows with lineage.",
                "schema": "raw",
                "tables": tables,
            }
        ],
    }
    return f"# {GENERATED}\n" + yaml.safe_dump(doc, allow_unicode=True, sort_keys=False, width=1000)


def staging_column(col: Column) -> str:
    """The staging expression of a contract column: cast to its type; personal data (联系人, 联系电话, 身份证号,
    填报人) masked by the dbt macro mask_personal, so no layer after raw holds it unmasked."""
    if col.personal:
        return f"{{{{ mask_personal('{col.name}', '{col.personal}') }}}}"
    return f"cast({col.name} as {STAGING_TYPES[col.type]})"


def staging_sql(entity: Entity) -> str:
    key = ", ".join(f"'{k}'" for k in entity.natural_key)
    lines = [f"        {staging_column(c)} as {c.name}," for c in entity.columns]
    lines += [f"        cast({raw} as {t}) as {name}," for raw, name, t, _, _ in STAGING_LINEAGE]
    lines[-1] = lines[-1].rstrip(",")
    body = "\n".join(lines)
    return (
        f"-- {GENERATED}\n"
        f"-- {entity.zh}: latest revision of every ({', '.join(entity.natural_key)}), typed and documented;\n"
        "-- rows held back by fatal data-quality rules (raw.dq_excluded_rows) are left out.\n"
        "with\n\n"
        "source as (\n"
        f"    {{{{ latest_revision(source('raw', '{entity.table}'), [{key}], '{entity.table}') }}}}\n"
        "),\n\n"
        "renamed as (\n"
        "    select\n"
        f"{body}\n"
        "    from source\n"
        ")\n\n"
        "select * from renamed\n"
    )


def staging_yaml(entity: Entity) -> str:
    """The YAML of one staging model (one file per model, beside its SQL)."""
    cols = []
    for c in entity.columns:
        col = {
            "name": c.name,
            "data_type": yaml_type(STAGING_TYPES[c.type]),
            "description": _desc(c.zh, c.en),
        }
        if c.required:
            col["data_tests"] = ["not_null"]
        cols.append(col)
    cols += [
        {"name": n, "data_type": yaml_type(t), "description": _desc(zh, en)}
        for _, n, t, zh, en in STAGING_LINEAGE
    ]
    unique_key = {"combination_of_columns": list(entity.natural_key)}
    model = {
        "name": f"stg_raw__{entity.table}",
        "description": _desc(entity.zh, entity.en) + " Latest revision per natural key.",
        "config": {"contract": {"enforced": True}},
        "data_tests": [{"dbt_utils.unique_combination_of_columns": {"arguments": unique_key}}],
        "columns": cols,
    }
    return f"# {GENERATED}\n" + yaml.safe_dump(
        {"version": 2, "models": [model]}, allow_unicode=True, sort_keys=False, width=1000
    )


def data_contract_md(contract: Contract) -> str:
    out = [
        "# Data contract (数据约定)",
        "",
        f"<!-- {GENERATED} -->",
        "",
        "Every ledger a unit submits is one of the entities below. Headers are matched after folding",
        "full-width characters and removing spaces, line breaks and `*`; a unit in brackets (`总投资（亿元）`)",
        "or a units row/line (`单位：万元`) is read and the value converted. Money is stored in **万元**",
        "(foreign money in **万美元**), ratios as fractions (85 % → 0.85). Columns not in the contract are",
        "kept in `_extra` (JSON), never dropped. Blank templates: `xmdw template DIR`.",
        "",
        "Every raw row carries lineage: " + ", ".join(f"`{n}`" for n, _, _ in LINEAGE_COLUMNS) + ".",
        "",
        "Column `default`: where the value comes from when the ledger has no such column — `file.year` /",
        "`file.month` (a period such as `2024年3月` or `2024年1-3月` in the title or file name),",
        "`file.region` (a region name in the title or file name), `file.plan_version` (中期调整 if the title says",
        "so, else 年初).",
        "",
        "Column `range`: the values accepted, in the stored unit (ratios as fractions); a value outside it, or",
        "one that cannot be read, rejects the row when the column is required and is left empty with a finding",
        "(`raw.value_findings`) when it is optional. Dates must lie in 1950–2100. Key and code columns (`*_id`,",
        "`*_code`) typed as numbers are refused unless Excel shows them exactly (at most 15 digits, no",
        "scientific notation).",
        "",
    ]
    for e in contract.entities.values():
        out += [
            f"## `{e.table}` — {e.zh}",
            "",
            e.en,
            "",
            f"Template: `{e.template_file}` · natural key: ({', '.join(f'`{k}`' for k in e.natural_key)}) · "
            f"raw table `raw.{e.table}` · staging `stg_raw__{e.table}`",
            "",
            "| column | 表头 | type | required | default | range | code list | also accepted headers | description |",
            "|---|---|---|---|---|---|---|---|---|",
        ]
        for c in e.columns:
            out.append(
                f"| `{c.name}` | {c.zh} | {c.type} ({TYPE_ZH[c.type]}) | {'yes' if c.required else ''} | "
                f"{c.default or ''} | {_range_md(c)} | {c.code_list or ''} | {'、'.join(c.aliases)} | {c.en} |"
            )
        out.append("")
    out += [
        "## Code lists (代码表)",
        "",
        "From `seeds/code_lists.csv` (also loaded as the dbt seed `code_lists`).",
        "",
    ]
    for cl in contract.code_lists.values():
        values = "; ".join(
            f"`{v.code}` {v.label_zh}" + (f" ({'、'.join(v.aliases)})" if v.aliases else "")
            for v in cl.values
        )
        out.append(f"- **{cl.name}**: {values}")
    out.append("")
    return "\n".join(out)


def _range_md(col: Column) -> str:
    if col.range is None:
        return ""
    low, high = (f"{x.normalize():,f}" for x in col.range)
    scale = " (percent points)" if col.ratio_scale == "percent_points" else ""
    return f"{low} … {high}{scale}"


def rendered_files(contract: Contract | None = None) -> dict[Path, str]:
    contract = contract or load_contract()
    files = {
        STAGING_DIR / "_raw__sources.yml": sources_yaml(contract),
        PROJECT_ROOT / "docs" / "data_contract.md": data_contract_md(contract),
    }
    for e in contract.entities.values():
        files[STAGING_DIR / f"stg_raw__{e.table}.sql"] = staging_sql(e)
        files[STAGING_DIR / f"_stg_raw__{e.table}.yml"] = staging_yaml(e)
    return files


def render_all() -> list[Path]:
    written = []
    for path, text in rendered_files().items():
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written
