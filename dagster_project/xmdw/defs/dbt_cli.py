"""The dbt command line of a build, as a pure function: imported without Dagster or the dbt manifest
(the Dagster dbt asset, the benchmarks and the tests use the same arguments)."""

import json


def dbt_build_args(
    select: str | None = None,
    exclude: str | None = None,
    full_refresh: bool = False,
    dbt_vars: dict | None = None,
    unit_tests: bool = False,
) -> list[str]:
    """The dbt CLI arguments for a build. Pure, so the exact command is unit-tested.

    Production builds leave dbt's unit tests out (dbt's advice: they test SQL logic on fixed inputs,
    not the data, and took 5 of 11 s of a county build); the test suite runs them
    (tests/test_e2e.py::test_dbt_unit_tests)."""
    args = ["build"]
    if not unit_tests:
        args += ["--exclude-resource-type", "unit_test"]
    if select:
        args += ["--select", select]
    if exclude:
        args += ["--exclude", exclude]
    if full_refresh:
        args.append("--full-refresh")
    if dbt_vars:
        args += ["--vars", json.dumps(dbt_vars, sort_keys=True, ensure_ascii=False)]
    return args
