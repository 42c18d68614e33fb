# The two commands of the README: `make run` and `make test`. Both create the
# virtual environment on first use and install what they need.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint bench clean lock install-locked

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
	$(BIN)/python -m bench.text
	$(BIN)/python -m bench.scale
	$(BIN)/python -m bench.latency
	$(BIN)/python -m bench.websub

# requirements.lock: the exact versions (and their sha256) of pyproject.toml's runtime
# dependencies, for production installs. `make lock` after changing the dependencies keeps the
# pins that still fit; `make lock LOCK_FLAGS=--upgrade` moves every pin to the newest that fits.
LOCK_FLAGS ?=
lock: $(BIN)/nashra
	$(BIN)/python -m pip install --quiet 'pip-tools>=7.5,<8'
	$(BIN)/pip-compile --quiet --generate-hashes --strip-extras --no-emit-index-url \
		--no-emit-find-links --no-emit-trusted-host $(LOCK_FLAGS) \
		--output-file requirements.lock pyproject.toml

# A production venv from the lock (hash-checked), then the project itself (not editable): the
# bot only, no test tools. The Dockerfile does the same.
install-locked: requirements.lock
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps .
	$(BIN)/python -m pip check

clean:
	rm -rf $(VENV) build *.egg-info
