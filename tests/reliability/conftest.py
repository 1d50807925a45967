"""Reliability tests reuse the API tests' small real index, apps and live servers."""

from tests.api.conftest import (  # noqa: F401  (fixtures, registered by import)
    anyio_backend,
    api_index,
    copied_index,
    live_server,
    make_client,
    make_settings,
)
