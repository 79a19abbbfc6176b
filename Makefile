# Set-up and entry points. `make run` and `make test` bootstrap .venv from constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test compare baseline bench-dnn bench-zoo clean

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bench run suites/quick.toml

test: $(STAMP)
	$(BIN)/python -m pytest -q

# CI quality gate: a fresh quick run compared with the committed baseline (see README).
compare: $(STAMP)
	$(BIN)/bench run suites/quick.toml --results results/quick-current --fresh --no-leaderboard
	$(BIN)/bench compare results/baselines/quick results/quick-current --changed-only

# Refresh the committed baseline deliberately (then commit results/baselines/quick).
baseline: $(STAMP)
	$(BIN)/bench baseline update suites/quick.toml

# Benchmarks (documented in README, not timed tests).
bench-dnn: $(STAMP)
	$(BIN)/python benchmarks/dnn_epoch.py

bench-zoo: $(STAMP)
	$(BIN)/python benchmarks/zoo_table.py --run

clean:
	rm -rf $(VENV) results/quick results/quick-current
