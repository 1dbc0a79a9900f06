"""Columns of the raw schema's log tables (everything in raw.* that is not a contract entity): the
ingestion log, rejected rows, value findings, skipped rows and sheets, revision changes and the
data-quality results. `store.ensure_schema` creates them and adds columns they gained. Type names are
ones DuckDB and PostgreSQL both accept (DOUBLE PRECISION, not DOUBLE): the same DDL and CASTs run on
either engine."""

from __future__ import annotations

# Where a rejected row or an unreadable value was found: the file, its unit, the sheet, row and header.
ROW_LOCATION: list[tuple[str, str]] = [
    ("log_id", "VARCHAR"),
    ("file_id", "VARCHAR"),
    ("file_name", "VARCHAR"),
    ("entity", "VARCHAR"),
    ("submitting_unit", "VARCHAR"),
    ("sheet", "VARCHAR"),
    ("source_row", "INTEGER"),
    ("column_header", "VARCHAR"),
]

LOG_TABLES: dict[str, list[tuple[str, str]]] = {
    "ingest_log": [
        ("log_id", "VARCHAR"),
        ("run_id", "VARCHAR"),
        ("file_id", "VARCHAR"),
        ("file_name", "VARCHAR"),
        ("sha256", "VARCHAR"),
        ("size_bytes", "BIGINT"),
        ("status", "VARCHAR"),
        ("entity", "VARCHAR"),
        ("encoding", "VARCHAR"),
        ("submitting_unit", "VARCHAR"),
        ("period_year", "INTEGER"),
        ("period_month", "INTEGER"),
        ("region_code", "VARCHAR"),
        ("rows_read", "INTEGER"),
        ("rows_loaded", "INTEGER"),
        ("rows_rejected", "INTEGER"),
        ("rows_skipped", "INTEGER"),
        ("rows_revised", "INTEGER"),
        ("skipped_by_kind", "VARCHAR"),
        ("money_units", "VARCHAR"),
        ("unknown_columns", "VARCHAR"),
        ("stored_path", "VARCHAR"),
        ("reason_rule", "VARCHAR"),
        ("reason_zh", "VARCHAR"),
        ("reason_en", "VARCHAR"),
        ("ingested_at", "TIMESTAMP"),
    ],
    "rejected_rows": [
        *ROW_LOCATION,
        ("rule", "VARCHAR"),
        ("value", "VARCHAR"),
        ("message_zh", "VARCHAR"),
        ("message_en", "VARCHAR"),
        ("ingested_at", "TIMESTAMP"),
        ("column_name", "VARCHAR"),  # the contract column (NULL for whole-row problems such as ING-DUP)
        # the row's natural key, {"column": "canonical text", …} in contract order; NULL when a required
        # key column could not be read (ingestion/natural_keys.py). The return list clears the row once
        # a later file loads this key.
        ("natural_key_json", "VARCHAR"),
    ],
    # Optional values that could not be read: stored as NULL, the row kept (issue 10). Same lineage,
    # location and message columns as rejected_rows, plus the contract column name.
    "value_findings": [
        *ROW_LOCATION,
        ("column_name", "VARCHAR"),
        ("rule", "VARCHAR"),
        ("value", "VARCHAR"),
        ("message_zh", "VARCHAR"),
        ("message_en", "VARCHAR"),
        ("ingested_at", "TIMESTAMP"),
        ("natural_key_json", "VARCHAR"),  # as in rejected_rows (the row was loaded: its key is known)
    ],
    "skipped_rows": [
        ("file_id", "VARCHAR"),
        ("sheet", "VARCHAR"),
        ("source_row", "INTEGER"),
        ("kind", "VARCHAR"),
        ("entity", "VARCHAR"),  # the ledger whose rows_skipped counts it (a workbook may hold several)
    ],
    # Sheets of an accepted workbook that hold no ledger (hidden, empty, instructions, no header): none
    # of their rows is loaded; physical rows of a workbook = rows_read of its ledgers + rows here.
    "skipped_sheets": [
        ("file_id", "VARCHAR"),
        ("file_name", "VARCHAR"),
        ("submitting_unit", "VARCHAR"),
        ("sheet", "VARCHAR"),
        ("rows_in_sheet", "INTEGER"),
        ("rule", "VARCHAR"),
        ("reason_zh", "VARCHAR"),
        ("reason_en", "VARCHAR"),
        ("ingested_at", "TIMESTAMP"),
    ],
    "revision_changes": [
        ("entity", "VARCHAR"),
        ("natural_key", "VARCHAR"),
        ("column_name", "VARCHAR"),
        ("old_value", "VARCHAR"),
        ("new_value", "VARCHAR"),
        ("old_revision", "INTEGER"),
        ("new_revision", "INTEGER"),
        ("old_file_id", "VARCHAR"),
        ("old_file", "VARCHAR"),
        ("new_file_id", "VARCHAR"),
        ("new_file", "VARCHAR"),
        ("changed_at", "TIMESTAMP"),
    ],
    # Data quality (issue 4; written by xmdw.quality.results). dq_excluded_rows is state, not a log: the
    # rows fatal row rules hold back from staging, replaced per entity on every validation.
    "dq_excluded_rows": [
        ("entity", "VARCHAR"),
        ("_file_id", "VARCHAR"),
        ("_sheet", "VARCHAR"),
        ("_source_row", "INTEGER"),
        ("rule_id", "VARCHAR"),
        ("run_id", "VARCHAR"),
        ("excluded_at", "TIMESTAMP"),
    ],
    "dq_runs": [
        ("run_id", "VARCHAR"),
        ("stage", "VARCHAR"),
        ("started_at", "TIMESTAMP"),
        ("finished_at", "TIMESTAMP"),
        ("seconds", "DOUBLE PRECISION"),
        ("tables_validated", "INTEGER"),
        ("rows_validated", "BIGINT"),
        ("rules_run", "INTEGER"),
        ("rules_failed", "INTEGER"),
        ("fatal_count", "INTEGER"),
        ("warning_count", "INTEGER"),
        ("info_count", "INTEGER"),
        ("rows_held_back", "INTEGER"),
        ("blocked_tables", "VARCHAR"),
        # incremental validation (quality/incremental.py): the rule-set version, whether results of
        # unchanged rows were carried forward, the files checked for the first time and the rows handed
        # to GX for incremental rules (rows of those files) and for the other row rules (flagged rows)
        ("rule_set_version", "VARCHAR"),
        ("carried_forward", "BOOLEAN"),
        ("files_new", "INTEGER"),
        ("gx_rows_incremental", "BIGINT"),
        ("gx_rows_other", "BIGINT"),
    ],
    # The files whose rows the incremental row rules checked, per rule-set version (state, see above).
    "dq_checked_files": [
        ("rule_set_version", "VARCHAR"),
        ("entity", "VARCHAR"),
        ("file_id", "VARCHAR"),
        ("run_id", "VARCHAR"),
        ("checked_at", "TIMESTAMP"),
    ],
    "dq_rule_results": [
        ("run_id", "VARCHAR"),
        ("rule_id", "VARCHAR"),
        ("table_name", "VARCHAR"),
        ("rule_group", "VARCHAR"),
        ("scope", "VARCHAR"),
        ("severity", "VARCHAR"),
        ("success", "BOOLEAN"),
        ("element_count", "BIGINT"),
        ("unexpected_count", "BIGINT"),
        ("blocking", "BOOLEAN"),
        ("checked_at", "TIMESTAMP"),
    ],
    "dq_results": [
        ("run_id", "VARCHAR"),
        ("rule_id", "VARCHAR"),
        ("severity", "VARCHAR"),
        ("rule_group", "VARCHAR"),
        ("table_name", "VARCHAR"),
        ("scope", "VARCHAR"),
        ("submitting_unit", "VARCHAR"),
        ("file_id", "VARCHAR"),
        ("file_name", "VARCHAR"),
        ("sheet", "VARCHAR"),
        ("source_row", "INTEGER"),
        ("column_name", "VARCHAR"),
        ("column_zh", "VARCHAR"),
        ("record_key", "VARCHAR"),
        ("observed_value", "VARCHAR"),
        ("message_zh", "VARCHAR"),
        ("held_back", "BOOLEAN"),
        ("blocking", "BOOLEAN"),
        ("submitted_at", "TIMESTAMP"),
        ("detected_at", "TIMESTAMP"),
    ],
}
