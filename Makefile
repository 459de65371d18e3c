# Production FastAPI, notebook by notebook.
# `make lab` opens the course; `make test` runs every check. Both build .venv themselves.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
N ?=
# Jupyter refuses to run as root (containers, CI) unless told to.
LAB_FLAGS := $(if $(filter 0,$(shell id -u)),--allow-root)

.PHONY: lab lab-full test lint stage build learner progress sync verify exercises binder \
	test-browser lock clean

$(INSTALLED): pyproject.toml binder/requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c binder/requirements.txt -e '.[dev]'
	touch $(INSTALLED)

## Learners: open JupyterLab at the welcome notebook of the learner edition (a workspace in learner/).
lab: $(INSTALLED)
	$(BIN)/python -m course_tools edition learner
	$(BIN)/jupyter lab $(LAB_FLAGS) learner/notebooks/00_welcome.ipynb

## Instructors: open the full edition, solutions included.
lab-full: $(INSTALLED)
	$(BIN)/jupyter lab $(LAB_FLAGS) notebooks/00_welcome.ipynb

## Every check: lint, stage tests, exercises, notebooks (nbval + sync), the Binder simulation.
test: lint sync
	$(BIN)/python -m pytest
	$(BIN)/python -m course_tools exercises
	$(BIN)/python -m course_tools verify
	$(BIN)/python -m course_tools binder

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

sync: $(INSTALLED)
	$(BIN)/python -m course_tools sync

verify: $(INSTALLED)
	$(BIN)/python -m course_tools verify

exercises: $(INSTALLED)
	$(BIN)/python -m course_tools exercises

binder: $(INSTALLED)
	$(BIN)/python -m course_tools binder

## Bring course_app to the end of stage N: make stage N=4
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

## JupyterLab in headless Chromium (Debian's package): every notebook, Run All, no errors.
test-browser: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -c binder/requirements.txt -e '.[browser]'
	$(BIN)/python -m course_tools.browser

lock: $(INSTALLED)
	{ echo "# Pinned for Binder and used as constraints by \`make\`. Regenerate with \`make lock\`."; \
	  $(BIN)/python -m pip freeze --exclude-editable | grep -viE '^(ruff|playwright|pyee)=='; \
	} > binder/requirements.txt

clean:
	rm -rf $(VENV) learner build test-results

## Benchmarks against real uvicorn servers on 127.0.0.1, saved in benchmarks/results/.
## make bench: the service (about a minute); BENCH=course: the course run (minutes); BENCH=all: both.
BENCH ?= service
.PHONY: bench
bench: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -c binder/requirements.txt -e '.[bench]'
	$(BIN)/python -m benchmarks $(BENCH)
