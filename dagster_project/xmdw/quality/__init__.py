"""Data quality: the rule catalog (expectations/rules/, one file per rule) run by DuckDB and Great Expectations."""
