"""The warehouse layer: connections, the raw and dq_* DDL, the latest-revision SQL. Below ingestion and quality."""
