"""A short soak (benchmarks/soak.py, 20 s, 8 clients) over a real `gqa serve`: zero errors while a
batch job runs and an ingest publishes a new index version under load. The 10-minute run is by hand."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

SOAK = Path(__file__).resolve().parents[2] / "benchmarks" / "soak.py"


@pytest.mark.slow
def test_short_soak_has_no_errors_through_a_batch_and_a_hot_swap(api_index):
    spec = importlib.util.spec_from_file_location("soak", SOAK)
    soak = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(soak)
    result = soak.run(api_index, clients=8, seconds=20, out_path=None)
    assert result["requests"] > 0 and result["errors"] == 0, result["error_samples"]
    assert result["batch"]["status"] == "done" and result["batch"]["errors"] == 0
    assert result["ingest"]["exit"] == 0
