# Production FastAPI, notebook by notebook.
# `make lab` opens the course; `make test` runs every check. Both build .venv themselves.
# `make test-all` adds PostgreSQL and the slow checks (CI runs it and `make test-browser`).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
N ?=
# Jupyter refuses to run as root (containers, CI) unless told to.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab lab-full test test-postgres test-slow test-all lint stage build learner progress sync verify \
	verify-sequential exercises binder holes test-browser lock clean

$(INSTALLED): pyproject.toml binder/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c binder/requirements.txt -e '.[dev]'
	touch $(INSTALLED)

## Learners: open JupyterLab at the welcome notebook of the learner edition (a workspace in learner/).
lab: $(INSTALLED)
	$(BIN)/python -m course_tools edition learner
	PATH="$(abspath $(BIN)):$$PATH" $(BIN)/jupyter lab $(LAB_FLAGS) learner/notebooks/00_welcome.ipynb

## Instructors: open the full edition, solutions included.
lab-full: $(INSTALLED)
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/00_welcome.ipynb

## The quick check before every commit, on every core: lint and types, the sync check, pytest
## (every stage and the machinery, without the heavy tests of kernels and server processes) and
## the exercises. The rest, notebooks included, is in test-postgres and test-slow.
test: lint sync
	$(BIN)/python -m pytest -n auto --dist worksteal -m "not slow and not heavy"
	$(BIN)/python -m course_tools exercises

## The same pytest suite on PostgreSQL instead of SQLite files: a throw-away server per worker
## (or the one DATABASE_URL names), a fresh database per test. CI runs it after make test.
test-postgres: $(INSTALLED)
	COURSE_TEST_DATABASE=postgresql $(BIN)/python -m pytest -n auto --dist worksteal -m "not slow"

## The slower checks that test-all adds to test: nbval over every notebook, each in a copy of its
## own, then over the whole course in sequence in one workspace; the Binder simulation (the learner
## edition, every hole empty); every hole's empty stub and common mistakes; the heavy and slow tests.
## CI runs them after make test-postgres.
test-slow: verify verify-sequential binder holes
	$(BIN)/python -m pytest -n auto --dist worksteal -m "heavy or slow"

## Every check (CI runs these, then test-browser).
test-all: test test-postgres test-slow

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/hadolint Dockerfile

sync: $(INSTALLED)
	$(BIN)/python -m course_tools sync

verify: $(INSTALLED)
	$(BIN)/python -m course_tools verify

verify-sequential: $(INSTALLED)
	$(BIN)/python -m course_tools verify --sequential

exercises: $(INSTALLED)
	$(BIN)/python -m course_tools exercises

binder: $(INSTALLED)
	$(BIN)/python -m course_tools binder

## Every hole: named by its stage check when empty, and each listed mistake caught.
holes: $(INSTALLED)
	$(BIN)/python -m course_tools holes

## Learners: put the reference of stages 01..N in learner/course_app (your files are backed up
## first): make stage N=4. From a terminal anywhere in learner/: python -m course_tools stage 4
stage: $(INSTALLED)
	@test -n "$(N)" || { echo "Say which stage: make stage N=4"; exit 2; }
	$(BIN)/python -m course_tools stage $(N)

## Maintainers: re-execute every notebook in a clean copy and take its outputs and course_app.
build: $(INSTALLED)
	$(BIN)/python -m course_tools build

learner: $(INSTALLED)
	$(BIN)/python -m course_tools edition learner

progress: $(INSTALLED)
	@$(BIN)/python -m course_tools progress

## JupyterLab in headless Chromium (Debian's package): every notebook, Run All, no errors; then
## the learner edition with every hole empty: no errors either, and every stage check "not yet".
test-browser: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -c binder/requirements.txt -e '.[browser]'
	$(BIN)/python -m course_tools.maintainer.browser
	$(BIN)/python -m course_tools.maintainer.browser --learner

## Pin what the course needs (not the dev or browser extras) at the versions installed in .venv.
lock: $(INSTALLED)
	$(BIN)/python -m course_tools lock > binder/requirements.txt.new
	mv binder/requirements.txt.new binder/requirements.txt
	$(BIN)/python -m course_tools lock --service > deploy/requirements.txt.new
	mv deploy/requirements.txt.new deploy/requirements.txt

clean:
	rm -rf $(VENV) learner build test-results

## Benchmarks against real uvicorn servers on 127.0.0.1, saved in benchmarks/results/.
## make bench: the service (about two minutes); BENCH=course: the course run (minutes); BENCH=all: both.
BENCH ?= service
.PHONY: bench
bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -c binder/requirements.txt -e '.[bench]'
	$(BIN)/python -m benchmarks $(BENCH)
