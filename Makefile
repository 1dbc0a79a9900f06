# xmdw — two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export XMDW_DATA_DIR ?= $(CURDIR)/data
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := False
export DAGSTER_HOME ?= $(XMDW_DATA_DIR)/dagster_home
# XMDW_ENGINE=postgres: Dagster's run history on the server, through SQLAlchemy's psycopg2 dialect (decision 92)
export XMDW_DAGSTER_PG_URL ?= $(subst postgresql://,postgresql+psycopg2://,$(XMDW_PG_DSN))

.PHONY: install prepare fonts browser postgres java run test test-fast test-heavy lint format ui templates demo bench bench-nation clean contract

$(STAMP): pyproject.toml
	@test -n "$(PYTHON)" || (echo "Python 3.11 not found" && exit 1)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

# dbt manifest for @dbt_assets (dbt parse), with the same environment as at run time
prepare: install
	@$(BIN)/xmdw prepare

# The whole pipeline headless: demo landing files if nothing was ever loaded, then Dagster runs
# ingestion -> GX checks -> dbt build and a summary is printed.
# XMDW_ENGINE=postgres make run: the same on a PostgreSQL server (XMDW_PG_DSN; without one, a server of this data
# directory on this machine, from Debian's package: xmdw.cli.local_server)
run: prepare fonts $(if $(filter postgres,$(XMDW_ENGINE)),postgres)
	@$(BIN)/xmdw run --demo-if-empty

# The CJK TrueType font the PDF bulletins embed (Debian fonts-wqy-microhei), installed only when missing
fonts:
	@test -f /usr/share/fonts/truetype/wqy/wqy-microhei.ttc || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-wqy-microhei; }

# Chromium and its WebDriver from Debian for the browser test of the submission page, only when missing
# (Selenium is given both paths: nothing is downloaded at test time)
browser:
	@test -x /usr/bin/chromium -a -x /usr/bin/chromedriver || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium chromium-driver; }

# PostgreSQL 15 server programs from Debian for the engine tests (a throwaway cluster per test process, made by
# initdb in a temp folder and stopped at the end: tests/pg_server.py), only when missing
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql; }

# Two workers, one test file each (module fixtures stay in one process): the pipeline tests are CPU-bound
# and the machines have two cores.
test: prepare fonts browser postgres
	$(BIN)/pytest -q -n 2 --dist loadfile

# Your own loop, < 2 min: everything that does not build a whole pipeline (tests marked e2e or heavy are
# left out); the ten slowest are listed so a slow newcomer is seen (and marked e2e or made faster)
test-fast: prepare postgres
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not heavy and not e2e" --durations=10

# The dbt models on Spark run from a venv of their own (pyproject's `spark` group: dbt-spark's session method,
# pyspark): with pyspark importable, Great Expectations' import ends a pytest-xdist worker (pyspark.sql.connect
# exits when __main__ has no __file__), so the project's .venv never holds it. tests/spark_local.py runs dbt
# and the table registration with this venv's interpreter.
SPARK_VENV  := .venv-spark
SPARK_STAMP := $(SPARK_VENV)/.installed-stamp
$(SPARK_STAMP): pyproject.toml
	$(PYTHON) -m venv $(SPARK_VENV)
	$(SPARK_VENV)/bin/pip install --quiet --upgrade pip
	$(SPARK_VENV)/bin/pip install --quiet -e '.[spark]'
	@touch $(SPARK_STAMP)

# Java for Spark (Debian's default-jre-headless: OpenJDK 17), only when missing
java:
	@command -v java >/dev/null 2>&1 || { apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends default-jre-headless; }

# Long-running tests (province-scale generation, the dbt models on Spark etc.), not part of `make test`
test-heavy: prepare postgres java $(SPARK_STAMP)
	$(BIN)/pytest -q -m heavy

lint: install
	$(BIN)/ruff check dagster_project tests bench
	$(BIN)/ruff format --check dagster_project tests bench

format: install
	$(BIN)/ruff format dagster_project tests bench
	$(BIN)/ruff check --fix dagster_project tests bench

# Regenerate dbt sources/staging and docs/data_contract.md from the contract
contract: install
	$(BIN)/xmdw contract-render
	$(BIN)/python -m xmdw.quality.docs

# The Dagster UI and daemon (schedules, sensors). The prepare target (`xmdw prepare`) writes DAGSTER_HOME's
# dagster.yaml (telemetry off, one run at a time) and the dbt manifest; importing the definitions sets nothing:
# runs and sensors read the data directory through the `warehouse` resource (XMDW_DATA_DIR, exported above).
ui: prepare
	$(BIN)/dagster dev -m xmdw.defs.definitions

templates: install
	$(BIN)/xmdw template templates

demo: install
	$(BIN)/xmdw demo

# Benchmarks (docs/benchmarks.md): every stage once, the floor (dbt's compiled SQL as one DuckDB script,
# generated by bench/make_floor.py at bench time), the whole `xmdw run` (3 times at county, once at
# province), the monthly increment, BI queries during a province build; ends with issue 15's targets table.
# Must stay under 20 min on 2 cores. Data and results in data/bench/. NATION=<results of bench-nation>
# fills the table's nation row.
bench: prepare
	$(BIN)/python bench/run.py --scales county,province --repeat 1 $(if $(NATION),--nation-results $(NATION))

# Nation scale (~1 M projects, ~1.2 GB of CSV): on purpose only; every stage and `xmdw run` with time
# limits (a stage that cannot finish is reported "did not finish", not waited for)
bench-nation: prepare
	$(BIN)/python bench/run.py --scales nation --repeat 1

clean:
	rm -rf data dbt_models/target dbt_models/logs .pytest_cache
