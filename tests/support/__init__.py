"""Helpers the tests (and benchmarks/) import: index builders, generated PDFs, servers, hostile inputs,
a fake embedder. Plain modules with no fixtures: the fixtures live in the conftest.py files."""
