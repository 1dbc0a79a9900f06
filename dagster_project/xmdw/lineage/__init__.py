"""Traceability of published figures: `xmdw explain` (a figure down to ledger rows, from
marts.figure_sources) and `xmdw diff` (what changed between two published versions, and which
resubmitted rows caused it, from data/serving/versions/)."""
