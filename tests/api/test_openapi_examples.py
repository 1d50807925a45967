"""The OpenAPI examples (api/openapi_examples.json, generated from a real index) still match the response models."""

from __future__ import annotations

from api.openapi_examples import check
from api.schemas import examples


def test_openapi_examples_validate_against_the_response_models():
    assert check(examples()) == []
