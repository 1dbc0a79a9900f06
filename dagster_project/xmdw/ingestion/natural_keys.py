"""The natural key of a parsed row, stored with each of its rejections and value findings
(`natural_key_json` of raw.rejected_rows / raw.value_findings).

The 退回修改清单 lists a rejected row until a later file loads the same key (reports/open_problems.py);
knowing the key at ingestion means the report never has to read an archived file again. The key is a JSON
object of the contract's key columns in their canonical text (what the raw table's CAST reads, so
`CAST(column AS VARCHAR)` of the loaded row compares equal), or None when a required key column could not
be read — such a row cannot be matched by key.
"""

from __future__ import annotations

import json

from xmdw.contract import Entity


def natural_key_json(entity: Entity, record: dict) -> str | None:
    values = {name: record.get(name) for name in entity.natural_key}
    if any(values[name] is None and entity.column(name).required for name in values):
        return None
    return json.dumps(values, ensure_ascii=False)
