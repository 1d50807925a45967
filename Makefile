# The README's two commands: `make run` and `make test`. Both set up .venv/ first.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
GQA := $(VENV)/bin/gqa
CORPUS ?= guidelines
STAMP := $(VENV)/.setup-done
# Torch first, pinned to the CPU build on this kind of machine: a bare `torch` requirement
# pulled in by sentence-transformers would fetch a multi-GB CUDA build.
TORCH := torch==2.13.0

.PHONY: setup run ingest serve test test-fast bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e ".[test]"
	touch $(STAMP)

ingest: setup
	@if [ ! -d "$(CORPUS)" ]; then echo "No folder '$(CORPUS)': put guideline PDFs/Markdown/HTML there, or run 'make run CORPUS=path/to/folder'."; exit 2; fi
	$(GQA) ingest "$(CORPUS)"

run: ingest
	@echo "Index ready. Ask it: $(GQA) search \"artesunate dose severe malaria\"  (or $(GQA) ask ...)"

test: setup
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

clean:
	rm -rf $(VENV) .pytest_cache
