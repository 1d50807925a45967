"""`GET /v1/documents/{id}/pages/{n}?lines=a-b`: only the cited lines of a Markdown document (the
viewer shows these instead of a whole manual)."""

from __future__ import annotations

import pytest

from tests.support.servers import MALARIA_MD

pytestmark = pytest.mark.anyio


async def markdown_id(client) -> str:
    docs = {d["source"]: d for d in (await client.get("/v1/documents")).json()["documents"]}
    return docs["who/malaria.md"]["doc_id"]


async def test_json_lines_hold_exactly_the_cited_lines(make_client):
    async with make_client() as c:
        doc = await markdown_id(c)
        r = await c.get(f"/v1/documents/{doc}/pages/1", params={"lines": "5-6"})
        one = await c.get(f"/v1/documents/{doc}/pages/1", params={"lines": "7"})
        whole = await c.get(f"/v1/documents/{doc}/pages/1")
    source = MALARIA_MD.split("\n")
    assert r.status_code == 200 and r.json()["text"] == "\n".join(source[4:6])
    assert one.json()["text"] == source[6]
    assert "Artemether-lumefantrine" in whole.json()["text"]  # without lines: the whole text, as before


async def test_html_lines_mark_the_cited_lines_with_some_context(make_client):
    async with make_client() as c:
        doc = await markdown_id(c)
        r = await c.get(f"/v1/documents/{doc}/pages/1", params={"format": "html", "lines": "5-5"})
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    assert '<span id="L5" class="l hl">' in r.text and '<span id="L6" class="l">' in r.text
    assert 'id="L2"' in r.text and 'id="L8"' in r.text  # three lines of context either side
    assert 'id="L1"' not in r.text and "Artemether-lumefantrine" not in r.text


@pytest.mark.parametrize(("lines", "status"), [("9-5", 422), ("0-2", 422), ("999", 404), ("5-", 422), ("a-b", 422)])
async def test_bad_line_ranges_are_json_errors(make_client, lines, status):
    async with make_client() as c:
        doc = await markdown_id(c)
        r = await c.get(f"/v1/documents/{doc}/pages/1", params={"lines": lines})
    assert r.status_code == status, r.text
    assert r.json()["error"] in ("invalid_request", "not_found")
