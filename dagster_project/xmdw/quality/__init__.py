"""Data quality: the rule catalog (expectations/rules.yml) run by Great Expectations."""
