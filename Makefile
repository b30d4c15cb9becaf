# The two commands a newcomer needs: `make demo` and `make test`.
# Both set themselves up: a local virtualenv (.venv) with the project and its test
# extras, and the Debian packages the interop tests drive (tshark, GStreamer).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HYPOTHESIS_PROFILE ?= quick

.PHONY: demo test lint typecheck pytest bench fuzz-long setup debian-packages clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

debian-packages:
	@bash scripts/ensure-debian-packages

demo: setup
	$(BIN)/python -m mikey.demo

test: setup debian-packages lint typecheck pytest

lint: setup
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench

typecheck: setup
	$(BIN)/mypy

pytest: setup
	HYPOTHESIS_PROFILE=$(HYPOTHESIS_PROFILE) $(BIN)/pytest -n 2 -q

# The long property-test profile: 5,000 examples per property (about 15 minutes on 2 cores).
fuzz-long: setup
	HYPOTHESIS_PROFILE=long $(BIN)/pytest -n 2 -q tests/wire tests/test_corpus.py

bench: setup
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache .hypothesis
