# The two commands of the README: `make run` and `make test`. Both create the
# virtual environment on first use and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean

$(BIN)/nashra: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,charts]'
	touch $(BIN)/nashra

run: $(BIN)/nashra
	$(BIN)/nashra run

test: $(BIN)/nashra
	$(BIN)/python -m pytest -q

lint: $(BIN)/nashra
	$(BIN)/ruff check .
	$(BIN)/mypy

bench: $(BIN)/nashra
	$(BIN)/python -m bench.poll
	$(BIN)/python -m bench.fanout
	$(BIN)/python -m bench.summary

clean:
	rm -rf $(VENV) build *.egg-info
