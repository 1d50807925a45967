"""Measurements, apart from the tests. Run each from the repository root: `.venv/bin/python -m benchmarks.NAME`."""
