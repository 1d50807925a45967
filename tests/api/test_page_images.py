"""Page images and quote highlights (api.page_images, api.routes.pages) over a real guideline PDF of
the shared corpus, ingested through the real pipeline and served through create_app."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageStat

from api import page_images
from api.app import create_app
from rag.settings import Settings
from tests.support.real_pdf import HYPHEN_PAGE, HYPHENATED, PAGE, PDF, SENTENCE
from tests.support.servers import asgi_client

pytestmark = [pytest.mark.anyio, pytest.mark.corpus]


@pytest.fixture
def client(real_index, fake_embedder):
    def make(**overrides):
        settings = Settings(**{"index": real_index, "rate_limit_per_minute": 0, **overrides})
        return asgi_client(create_app(settings, embedder=fake_embedder))

    return make


def png_image(body: bytes) -> Image.Image:
    assert body.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(body)).convert("RGB")


async def test_a_sentence_on_the_page_gets_boxes_inside_the_page(client, doc_id):
    async with client() as c:
        r = await c.get(f"/v1/documents/{doc_id}/pages/{PAGE}/highlights", params={"quote": SENTENCE})
    assert r.status_code == 200, r.text
    found = r.json()
    assert set(found) == {"width", "height", "boxes"}
    assert (found["width"], found["height"]) == (893, 1263)  # A4 at the default scale 1.5
    assert 2 <= len(found["boxes"]) <= 3  # the sentence wraps once in its table cell: one box per line
    for x0, y0, x1, y1 in found["boxes"]:
        assert 0 <= x0 < x1 <= found["width"] and 0 <= y0 < y1 <= found["height"]
        assert 8 <= y1 - y0 <= 40  # a line of body text, not the whole page
    first, second = found["boxes"][:2]
    assert second[1] > first[1]  # lines top to bottom, in reading order


async def test_line_breaks_hyphens_and_spacing_in_the_quote_still_match(client, doc_id):
    url = f"/v1/documents/{doc_id}/pages/{PAGE}/highlights"
    async with client() as c:
        plain = (await c.get(url, params={"quote": SENTENCE})).json()["boxes"]
        broken = (await c.get(url, params={"quote": SENTENCE.replace("antihypertensive ", "antihyper-\ntensive\n")
                                           .replace("WHO", "W H O").upper()})).json()["boxes"]
        # In the PDF "COVID-19-" ends a line and "infected" starts the next one.
        across = (await c.get(f"/v1/documents/{doc_id}/pages/{HYPHEN_PAGE}/highlights",
                              params={"quote": HYPHENATED})).json()["boxes"]
    assert broken == plain
    assert len(across) == 2 and across[1][1] > across[0][1]


async def test_a_quote_not_on_the_page_gives_no_boxes(client, doc_id):
    async with client() as c:
        elsewhere = await c.get(f"/v1/documents/{doc_id}/pages/{PAGE + 1}/highlights", params={"quote": SENTENCE})
        invented = await c.get(f"/v1/documents/{doc_id}/pages/{PAGE}/highlights",
                               params={"quote": "Give 40 mg of imaginary-olol to every patient."})
    assert elsewhere.status_code == invented.status_code == 200
    assert elsewhere.json()["boxes"] == invented.json()["boxes"] == []


async def test_the_png_is_small_matches_the_boxes_and_marks_the_quote(client, doc_id):
    base = f"/v1/documents/{doc_id}/pages/{PAGE}"
    async with client() as c:
        found = (await c.get(f"{base}/highlights", params={"quote": SENTENCE})).json()
        marked = await c.get(f"{base}/image", params={"highlight": SENTENCE})
        plain = await c.get(f"{base}/image")
        again = await c.get(f"{base}/image", params={"highlight": SENTENCE}, headers={"If-None-Match": marked.headers["etag"]})
    assert marked.status_code == plain.status_code == 200
    assert marked.headers["content-type"] == "image/png"
    assert marked.headers["cache-control"].startswith("private") and marked.headers["etag"] != plain.headers["etag"]
    assert again.status_code == 304
    assert len(marked.content) < 200_000, len(marked.content)
    lit, unlit = png_image(marked.content), png_image(plain.content)
    assert lit.size == unlit.size == (found["width"], found["height"])
    x0, y0, x1, y1 = found["boxes"][0]
    inside = (x0 + 4, y0 + 4, x1 - 4, y1 - 4)  # within the outline

    def blue(image, box):
        return ImageStat.Stat(image.crop(box)).mean[2]

    assert blue(unlit, inside) - blue(lit, inside) > 25  # yellow takes blue out of the cell's pink
    below = (x0, y1 + 200, x1, y1 + 200 + (y1 - y0))  # unmarked text further down the page
    assert abs(blue(unlit, below) - blue(lit, below)) < 5


async def test_a_width_scales_image_and_boxes_together(client, doc_id):
    base = f"/v1/documents/{doc_id}/pages/{PAGE}"
    async with client() as c:
        found = (await c.get(f"{base}/highlights", params={"quote": SENTENCE, "width": 600})).json()
        image = png_image((await c.get(f"{base}/image", params={"highlight": SENTENCE, "width": 600})).content)
        huge = (await c.get(f"{base}/highlights", params={"quote": SENTENCE, "width": 90_000})).json()
    assert found["width"] == image.width == 600 and found["height"] == image.height
    assert huge["width"] == page_images.MAX_WIDTH
    assert all(x1 <= 600 for _, _, x1, _ in found["boxes"])


async def test_missing_pages_and_documents_are_json_404s(client, doc_id):
    async with client() as c:
        past_end = await c.get(f"/v1/documents/{doc_id}/pages/62/image")
        past_end_boxes = await c.get(f"/v1/documents/{doc_id}/pages/500/highlights", params={"quote": "x"})
        unknown = await c.get(f"/v1/documents/{'0' * 64}/pages/1/image")
        too_long = await c.get(f"/v1/documents/{doc_id}/pages/1/highlights", params={"quote": "a" * 2001})
        no_quote = await c.get(f"/v1/documents/{doc_id}/pages/1/highlights")
    for r in (past_end, past_end_boxes, unknown):
        assert r.status_code == 404 and r.json()["error"] == "not_found", r.text
    assert "61 pages" in past_end.json()["message"] and "hypertension" in past_end.json()["message"]
    assert too_long.status_code == no_quote.status_code == 422


async def test_page_images_need_the_api_key_when_keys_are_set(client, doc_id):
    url = f"/v1/documents/{doc_id}/pages/{PAGE}/image"
    async with client(api_keys=["k-1"]) as c:
        anonymous = await c.get(url)
        boxes = await c.get(f"/v1/documents/{doc_id}/pages/{PAGE}/highlights", params={"quote": SENTENCE})
        wrong = await c.get(url, headers={"Authorization": "Bearer nope"})
        keyed = await c.get(url, headers={"Authorization": "Bearer k-1"})
        viewer = await c.get("/viewer")
    assert anonymous.status_code == boxes.status_code == wrong.status_code == 401
    assert anonymous.json()["error"] == "unauthorized"
    assert keyed.status_code == 200 and keyed.content.startswith(b"\x89PNG")
    assert viewer.status_code == 200 and "Research use only" in viewer.text  # the page itself holds no data


async def test_non_pdf_documents_point_to_the_html_page(make_client):
    async with make_client() as c:
        docs = {d["source"]: d for d in (await c.get("/v1/documents")).json()["documents"]}
        md = docs["who/malaria.md"]["doc_id"]
        r = await c.get(f"/v1/documents/{md}/pages/1/image")
        boxes = await c.get(f"/v1/documents/{md}/pages/1/highlights", params={"quote": "artesunate"})
    assert r.status_code == boxes.status_code == 409
    assert "PDFs only" in r.json()["message"] and f"/v1/documents/{md}/pages/1?format=html" in r.json()["message"]


def test_find_boxes_reads_only_the_page_asked_for(corpus_dir):
    path = str(corpus_dir / PDF)
    assert page_images.find_boxes(path, PAGE - 1, SENTENCE).boxes
    with pytest.raises(page_images.PageOutOfRange):
        page_images.find_boxes(path, 61, SENTENCE)
