# xmdw — two commands on a fresh machine with Python 3.11: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
export XMDW_DATA_DIR ?= $(CURDIR)/data
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export GX_ANALYTICS_ENABLED := False
export DAGSTER_HOME ?= $(XMDW_DATA_DIR)/dagster_home

.PHONY: install prepare fonts browser run test test-fast test-heavy lint format ui templates demo bench bench-nation clean contract

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
run: prepare fonts
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

# Two workers, one test file each (module fixtures stay in one process): the pipeline tests are CPU-bound
# and the machines have two cores.
test: prepare fonts browser
	$(BIN)/pytest -q -n 2 --dist loadfile

# Your own loop: everything that does not build a whole pipeline (tests marked e2e or heavy are left out)
test-fast: prepare
	$(BIN)/pytest -q -n 2 --dist loadfile -m "not heavy and not e2e"

# Long-running tests (province-scale generation etc.), not part of `make test`
test-heavy: prepare
	$(BIN)/pytest -q -m heavy -o addopts=""

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

ui: prepare
	$(BIN)/dagster dev -m xmdw.defs.definitions

templates: install
	$(BIN)/xmdw template templates

demo: install
	$(BIN)/xmdw demo

# Benchmarks (docs/benchmarks.md): every stage 3 times, the hand-SQL floor, the whole `xmdw run` (3 times at
# county, once at province) and the monthly increment, ~15 min on 2 cores. Data and results in data/bench/.
bench: prepare
	$(BIN)/python bench/run.py --scales county,province --repeat 3

# Nation scale (~1 M projects, ~1.2 GB of CSV): on purpose only
bench-nation: prepare
	$(BIN)/python bench/run.py --scales nation --repeat 1

clean:
	rm -rf data dbt_models/target dbt_models/logs .pytest_cache
