"""Dagster wiring: ingestion assets, dbt assets, GX asset checks, jobs."""
