"""Load a run of clean bulk candidates (consecutive in the batch) in one transaction: their rows with
lineage and revisions, revision changes, one ingest_log row and one skipped header row per file — the
records the per-cell path writes for the same files (`batch._load_parsed`), built from the staged tables."""

from __future__ import annotations

from xmdw.contract import Entity
from xmdw.ingestion.bulk_csv import Candidate
from xmdw.ingestion.bulk_stage import FILES, money_units, rows_table
from xmdw.ingestion.outcomes import FileOutcome
from xmdw.warehouse import store
from xmdw.warehouse.store import RAW, ROW_LINEAGE, Connection, key_join, portable_type

LINEAGE = ["_file_id", "_source_file", "_file_sha256", "_ingested_at"]


def insert_staged(
    con: Connection, entity: Entity, source: str, files: str, lo: int, hi: int
) -> dict[str, int]:
    """The bulk path's append (DuckDB): the staged canonical rows of the files at batch positions lo..hi
    (`source`: _file_pos, _row and the entity's columns as text; `files`: each file's lineage), as
    `insert_rows` would append them file after file. Revisions count on in batch order within the range
    (a key in three files gets +1, +2, +3), which is what loading the files one by one gives, since no
    file repeats a key. Returns rows revising an earlier submission, per _file_id."""
    names = [c.name for c in entity.columns] + ROW_LINEAGE
    table = f"{RAW}.{entity.table}"
    k_keys = ", ".join(f'k."{k}"' for k in entity.natural_key)
    i_keys = ", ".join(f'i."{k}"' for k in entity.natural_key)
    casts = ", ".join(
        f'CAST(s."{c.name}" AS {portable_type(c.sql_type)}) AS "{c.name}"' for c in entity.columns
    )
    con.execute(
        f"""
        CREATE TEMP TABLE _incoming AS
        SELECT {casts}, CAST(NULL AS VARCHAR) AS _extra, f.sheet AS _sheet, s._row AS _source_row,
               f.money_units AS _money_units, f.submitting_unit AS _submitting_unit,
               f.file_id AS _file_id, f.file_name AS _source_file, f.sha256 AS _file_sha256,
               CAST(f.ingested_at AS TIMESTAMP) AS _ingested_at, s._file_pos
        FROM {source} s JOIN {files} f ON f._file_pos = s._file_pos
        WHERE s._file_pos BETWEEN ? AND ?
        """,
        [lo, hi],
    )
    targets = ", ".join(f'"{n}"' for n in [*names, *LINEAGE, "_revision"])
    con.execute(
        f"""
        INSERT INTO {table} ({targets})
        SELECT {", ".join(f'i."{n}"' for n in [*names, *LINEAGE])},
               COALESCE(p.max_rev, 0) + row_number() OVER (PARTITION BY {i_keys} ORDER BY i._file_pos)
        FROM _incoming i
        LEFT JOIN (
            SELECT {k_keys}, max(t._revision) AS max_rev
            FROM (SELECT DISTINCT {", ".join(f'"{k}"' for k in entity.natural_key)} FROM _incoming) k
            JOIN {table} t ON {key_join(entity, "t", "k")}
            GROUP BY {k_keys}
        ) p
          ON {key_join(entity, "i", "p")}
        """
    )
    revised = store.record_changes(con, entity, "n._file_id IN (SELECT DISTINCT _file_id FROM _incoming)", [])
    con.execute("DROP TABLE _incoming")
    return revised


def _log_record(c: Candidate, rows: int, revised: int, archived: str) -> dict:
    """The ingest_log row `batch._accepted_log_record` writes for the same file."""
    ctx = c.context
    return c.log | {
        "status": "accepted",
        "entity": c.layout.entity.name,
        "encoding": "utf-8",
        "submitting_unit": ctx.submitting_unit,
        "period_year": ctx.year,
        "period_month": ctx.month,
        "region_code": ctx.region_code,
        "rows_read": rows + 1,
        "rows_loaded": rows,
        "rows_rejected": 0,
        "rows_skipped": 1,
        "rows_revised": revised,
        "skipped_by_kind": store.as_json({"header": 1}),
        "money_units": store.as_json(money_units(c)),
        "unknown_columns": store.as_json([]),
        "stored_path": archived,
    }


def load_run(con: Connection, run: list[Candidate], archived: dict[int, str]) -> list[FileOutcome]:
    """One transaction for the run's files (positions consecutive among the staged ones); outcomes in
    order. Raises on a database error (the caller rolls back and loads the files one by one)."""
    lo, hi = run[0].pos, run[-1].pos
    entities: dict[str, Entity] = {c.layout.entity.name: c.layout.entity for c in run}
    revised: dict[str, int] = {}
    with store.transaction(con):
        for entity in entities.values():
            revised |= insert_staged(con, entity, rows_table(entity), FILES, lo, hi)
        outcomes, logs, skipped = [], [], []
        for c in run:
            name = c.layout.entity.name
            n = c.data_rows
            out = FileOutcome(
                c.log["file_name"], "accepted", name, n + 1, n, 0, 1, 0, stored_path=archived[c.pos]
            )
            out.rows_revised = revised.get(c.log["file_id"], 0)
            outcomes.append(out)
            logs.append(_log_record(c, n, out.rows_revised, archived[c.pos]))
            skipped.append(
                {
                    "file_id": c.log["file_id"],
                    "sheet": c.sheet,
                    "source_row": 1,
                    "kind": "header",
                    "entity": name,
                }
            )
        store.insert_records(con, "ingest_log", logs)
        store.insert_records(con, "skipped_rows", skipped)
    return outcomes
