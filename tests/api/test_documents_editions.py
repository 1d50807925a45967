"""`GET /v1/documents...` over two generated editions of one guideline (real ingest, real app in-process): the
older one's JSON names the newer edition, and its HTML page view says "superseded by ..." with a link to it."""

from __future__ import annotations

import pytest

from tests.support.editions import NEW_LABEL

pytestmark = pytest.mark.anyio


async def test_the_older_edition_names_the_newer_in_json_and_in_its_page_view(make_client, editions_index):
    async with make_client(index=editions_index) as c:
        docs = {d["source"]: d for d in (await c.get("/v1/documents")).json()["documents"]}
        old, new = docs["malaria_2nd_ed_2010.pdf"], docs["malaria_3rd_ed_2015.pdf"]
        one = (await c.get(f"/v1/documents/{old['doc_id']}")).json()
        page = (await c.get(f"/v1/documents/{old['doc_id']}/pages/3", params={"format": "html"})).text
        newer_page = (await c.get(f"/v1/documents/{new['doc_id']}/pages/3", params={"format": "html"})).text
    assert (old["superseded_by"], old["superseded_by_label"]) == (new["doc_id"], NEW_LABEL)
    assert new["superseded_by"] is None and one["superseded_by"] == new["doc_id"]
    assert f"superseded by <a href=\"/v1/documents/{new['doc_id']}/pages/1?format=html\">{NEW_LABEL}</a>" in page
    assert "superseded" not in newer_page
