# Two commands set everything up on a fresh machine:
#   make demo   create .venv, install the package alone (no test tools), solve the shipped base scenario,
#               a CPC disruption case and a story (base, disruption, levers)
#   make test   create .venv if needed, install with the test extras, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO_STAMP := $(VENV)/.installed-demo

.PHONY: demo test quick install clean bench validate browser

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

# the demo needs only the package: either install (test or demo) will do
$(DEMO_STAMP): $(BIN)/python pyproject.toml
	@if [ -f $(STAMP) ] && [ $(STAMP) -nt pyproject.toml ]; then touch $@; else \
	  $(BIN)/python -m pip install --quiet -e . && touch $@; fi

demo: $(DEMO_STAMP)
	$(BIN)/energy-routes validate
	@stamp=$$(date -u +%Y%m%dT%H%M%SZ); \
	$(BIN)/energy-routes run base-2024 --out runs/demo-$$stamp/base-2024 && \
	$(BIN)/energy-routes run cpc-pump-station-2025 --out runs/demo-$$stamp/cpc-pump-station-2025 && \
	$(BIN)/energy-routes story outlook-2023-2030 --event target=cpc_terminal,start=2027-03-01,weeks=6,remaining=0.3333 \
	    --lever aktau-berths-12_5 --lever baku-supsa-restart --out runs/demo-$$stamp/story-cpc-moorings-2027 && \
	echo && echo "Tables (CSV, tables.xlsx), report.html, chart PNGs and manifest.json are in:" && \
	echo "  runs/demo-$$stamp/base-2024/" && echo "  runs/demo-$$stamp/cpc-pump-station-2025/" && \
	echo "and the story (story.html, story.xlsx) in runs/demo-$$stamp/story-cpc-moorings-2027/"

# the whole suite on every core (pytest-xdist, one test file per worker so module fixtures are built once);
# the 25 slowest tests are listed at the end so CI shows where its time goes
JOBS ?= $(shell $(PYTHON) -c "import os; print(max(1, min(4, len(os.sched_getaffinity(0)))))")
test: $(STAMP) browser
	$(BIN)/python -m pytest -q -n $(JOBS) --dist loadfile --durations=25

# a quick subset for development: no end-to-end runs of the shipped scenarios, fewer
# generated networks; `make test` before committing
quick: $(STAMP)
	N_NETWORKS=20 $(BIN)/python -m pytest -q -n $(JOBS) --dist loadfile -m "not slow" -x

# Best effort: headless Chromium and chromedriver from the system packages for the report's browser
# tests, when they are missing and we are root or have password-less sudo. Never fails; without a
# browser those tests are skipped with the reason.
browser:
	@if command -v chromedriver >/dev/null 2>&1 && { command -v chromium || command -v chromium-browser || command -v google-chrome; } >/dev/null 2>&1; then exit 0; fi; \
	if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true >/dev/null 2>&1; then SUDO="sudo -n"; else exit 0; fi; \
	export DEBIAN_FRONTEND=noninteractive; \
	{ $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1 || \
	  { $$SUDO apt-get update -qq >/dev/null 2>&1 && $$SUDO apt-get install -y -qq chromium chromium-driver >/dev/null 2>&1; }; } || \
	echo "note: could not install chromium; the browser tests will be skipped"; true

validate: $(STAMP)
	$(BIN)/energy-routes validate

bench: $(STAMP)
	$(BIN)/python benchmarks/single_run.py outlook-2023-2030
	$(BIN)/python benchmarks/startup.py
	$(BIN)/python benchmarks/report_speed.py
	$(BIN)/python benchmarks/sweep_speed.py
	$(BIN)/python benchmarks/risk_speed.py --draws 10000 --workers 2

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
