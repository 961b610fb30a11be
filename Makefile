# Two commands set everything up on a fresh machine:
#   make demo   create .venv, install, solve the shipped base scenario and a CPC disruption case
#   make test   create .venv if needed, install, run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install clean bench validate

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/energy-routes validate
	@stamp=$$(date -u +%Y%m%dT%H%M%SZ); \
	$(BIN)/energy-routes run base-2024 --out runs/demo-$$stamp/base-2024 && \
	$(BIN)/energy-routes run cpc-pump-station-2025 --out runs/demo-$$stamp/cpc-pump-station-2025 && \
	echo && echo "Full tables (CSV + manifest.json) are in:" && \
	echo "  runs/demo-$$stamp/base-2024/" && echo "  runs/demo-$$stamp/cpc-pump-station-2025/"

test: $(STAMP)
	$(BIN)/python -m pytest -q

validate: $(STAMP)
	$(BIN)/energy-routes validate

bench: $(STAMP)
	$(BIN)/python benchmarks/single_run.py outlook-2023-2030
	$(BIN)/python benchmarks/sweep_speed.py
	$(BIN)/python benchmarks/risk_speed.py --draws 10000 --workers 2

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis
