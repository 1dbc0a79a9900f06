"""GX validates in the engine on PostgreSQL: each SQL rule is a GX `UnexpectedRowsExpectation` on a SQL
datasource over the rule's rows of the findings relation (`dq_found`, quality/findings.py), so the server
counts what the rule found for GX and GX gives the verdict. The rule's own query runs once, when its
findings are written — not again for GX (on the province ledgers a rule's query is what costs).

On DuckDB GX's SQL datasource fails (decision 83; gx_runner validates a bounded sample of what the SQL found
instead). On PostgreSQL, GX 1.24's generic SQL datasource (SQLAlchemy 2 + psycopg2) works, with one
condition: the rule SQL reads the run's temp relations (`cur_<entity>`, `dq_held`, `seed_*`, the views —
quality/relations.py), which exist only in the session that created them. So the datasource's engine is
built on the caller's own connection (`creator` returning it, `StaticPool`, no reset on return), one
datasource per connection, kept for the connection's life: deleting it would dispose the pool and close
the caller's connection.

The query GX runs selects the rule's findings (`kind` 'finding': a table rule's notes and passes are
not failures). It reads a temp relation itself; the batch (the raw table) only anchors the validation, so
`{batch}` sits in a comment (without it GX prints a warning per rule on stdout). GX decides pass/fail and
counts what the query returned.
"""

from __future__ import annotations

import itertools
import warnings
import weakref
from typing import Any

from xmdw.quality.catalog import Rule
from xmdw.quality.dialect import Connection
from xmdw.quality.findings import FINDING
from xmdw.quality.relations import FOUND
from xmdw.warehouse.store import RAW

_sources: weakref.WeakKeyDictionary[Any, Any] = weakref.WeakKeyDictionary()
_numbers = itertools.count()


def _source(context: Any, con: Connection) -> Any:
    """The GX SQL datasource that runs its queries on `con`'s own session (created once per connection)."""
    from sqlalchemy.pool import StaticPool

    if con not in _sources:
        raw = con.raw
        with warnings.catch_warnings():  # "a PostgresDatasource may be more appropriate": it takes no creator
            warnings.simplefilter("ignore")
            _sources[con] = context.data_sources.add_sql(
                name=f"xmdw_pg_{next(_numbers)}",
                # the URL only names the dialect: every connection comes from `creator`
                connection_string="postgresql+psycopg2://xmdw@localhost/xmdw",
                kwargs={"creator": lambda: raw, "poolclass": StaticPool, "pool_reset_on_return": None},
            )
    return _sources[con]


def gx_query(rule: Rule, table: str) -> str:
    """The query GX runs for a rule: its findings in `dq_found` (ids are catalog and contract names)."""
    return (
        "/* {batch} */\n"
        f"SELECT * FROM {FOUND} WHERE entity = '{table}' AND rule_id = '{rule.id}' AND kind = '{FINDING}'\n"
    )


def engine_verdicts(
    context: Any, con: Connection, table: str, rules: list[Rule]
) -> dict[str, tuple[bool, int]]:
    """GX's verdict per rule id, run in the server: (success, rows the rule's query returned)."""
    import great_expectations as gx

    source = _source(context, con)
    n = next(_numbers)
    asset = source.add_table_asset(name=f"{table}_{n}", table_name=table, schema_name=RAW)
    batch_def = asset.add_batch_definition_whole_table("all_rows")
    suite = context.suites.add(gx.ExpectationSuite(name=f"xmdw.engine.{table}.{n}"))
    try:
        for rule in rules:
            query = gx_query(rule, table)
            suite.add_expectation(
                gx.expectations.UnexpectedRowsExpectation(
                    unexpected_rows_query=query, meta={"rule_id": rule.id}
                )
            )
        result = batch_def.get_batch().validate(suite)
    finally:
        context.suites.delete(suite.name)
        source.delete_asset(asset.name)
    verdicts = {}
    for res in result.results:
        rule_id = res.expectation_config.meta["rule_id"]
        observed = (res.result or {}).get("observed_value")
        if observed is None:  # the query failed in GX: say which rule and why, never pass it silently
            raise RuntimeError(f"GX could not run rule {rule_id} on {table}: {res.exception_info}")
        verdicts[rule_id] = (bool(res.success), int(observed))
    return verdicts
