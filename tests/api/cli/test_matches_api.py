"""`gqa search --json` and `gqa ask --json` give the API's JSON, over the served index."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from api.cli import build_app

pytestmark = pytest.mark.anyio


def run_cli(*args: str) -> dict:
    """A `gqa` command through its real entry point, its JSON output parsed."""
    result = CliRunner().invoke(build_app(), list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def test_search_and_ask_answer_the_same_json_as_the_cli(make_client, api_index):
    question = "artesunate severe malaria children"
    cli_search = run_cli("search", question, "-k", "4", "--json", "--index", str(api_index))
    cli_ask = run_cli("ask", question, "--json", "--index", str(api_index))
    async with make_client() as client:
        api_search = (await client.get("/v1/search", params={"q": question, "k": 4})).json()
        api_ask = (await client.post("/v1/ask", json={"question": question})).json()
    assert api_search["passages"] == cli_search["passages"]
    for key in ("answer", "abstained", "citations", "passages", "disclaimer"):
        assert api_ask[key] == cli_ask[key], key
