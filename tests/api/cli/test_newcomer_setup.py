"""Setup noise (issue 19, item 6): pyproject.toml's licence is an SPDX string setuptools reads without a
deprecation warning, and the licence stays the one the project states."""

from __future__ import annotations

import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_pyproject_licence_is_an_spdx_string_without_setuptools_warnings(monkeypatch):
    from setuptools.config.pyprojecttoml import apply_configuration
    from setuptools.dist import Distribution

    monkeypatch.chdir(ROOT)  # setuptools resolves readme and packages relative to the project
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        dist = apply_configuration(Distribution(), ROOT / "pyproject.toml")
    licence_warnings = [str(w.message) for w in caught if "licen" in str(w.message).lower()]
    assert licence_warnings == []
    assert dist.metadata.license_expression == "Apache-2.0"
    assert not [c for c in dist.metadata.classifiers or [] if c.startswith("License ::")]
