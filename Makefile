# effekt — the two commands a newcomer runs are `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: run test check lint types fuzz bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test,dev]'
	$(BIN)/python -m effekt.engine.kernel
	touch $(STAMP)

## run: install and run the main job on the bundled example
run: $(STAMP)
	$(BIN)/effekt check examples/hemmasittare.toml
	$(BIN)/effekt model examples/hemmasittare.toml

## test: install the test dependencies and run the whole suite
test: $(STAMP)
	$(BIN)/python -m pytest -n 2

lint: $(STAMP)
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

types: $(STAMP)
	$(BIN)/mypy

## check: lint + types + tests (CI, .ci/run, runs make test)
check: lint types test

## fuzz: the long fuzz runs of the contract checker (FUZZ_N inputs), of evaluate on
## damaged participant data (FUZZ_N / 50) and of mutated mappings, outcomes and
## portfolios (FUZZ_N / 20)
FUZZ_N ?= 100000
fuzz: $(STAMP)
	$(BIN)/python bench/fuzz_check.py --n $(FUZZ_N)
	$(BIN)/python bench/fuzz_evaluate.py --n $$(( $(FUZZ_N) / 50 ))
	$(BIN)/python bench/fuzz_inputs.py --n $$(( $(FUZZ_N) / 20 ))

## bench: the benchmarks (figures, no assertions); BENCH_FLAGS=--quick for short runs
BENCH_FLAGS ?=
bench: $(STAMP)
	$(BIN)/python bench/montecarlo.py $(BENCH_FLAGS)
	$(BIN)/python bench/irr.py $(BENCH_FLAGS)
	$(BIN)/python bench/matching.py $(BENCH_FLAGS)

clean:
	rm -rf $(VENV) build *.egg-info src/*.egg-info .pytest_cache .mypy_cache .ruff_cache
