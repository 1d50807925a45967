"""Make api/openapi_examples.json, the OpenAPI examples, from what the API answers over a real index.

    .venv/bin/python -m api.openapi_examples --index DIR [--question Q]

Asks the app in-process (extractive generator, so no LLM is needed), keeps one response of
each kind, checks that every example validates against its response model and dumps back to
itself (so no key is missing, extra or differently rounded), then writes the file. The schemas
read the file, never an index; `check(schemas.examples())` is what the tests run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from api import schemas

QUESTION = "first-line drug treatment of hypertension in adults"
MAX_DOCUMENTS = 2  # of the documents list, to keep the docs short
MODELS: dict[str, type[BaseModel]] = {
    "passage": schemas.PassageOut, "search": schemas.SearchResponse, "citation": schemas.CitationOut,
    "sentence": schemas.SentenceOut, "ask": schemas.AskResponse, "document": schemas.DocumentOut,
    "documents": schemas.DocumentsResponse, "page": schemas.PageOut, "ready": schemas.ReadyOut,
    "verified": schemas.VerifiedOut, "verify": schemas.VerifyResponse,
}
VERIFY_TEXT = ("Children weighing less than 20 kg should receive a higher dose of artesunate (3 mg/kg bw per dose). "
               "Give artesunate 4.4 mg/kg IV for severe malaria.")


def check(examples: dict[str, Any]) -> list[str]:
    """What is wrong with the examples: a missing one, or one its model rejects or would change."""
    problems = []
    for name, model in MODELS.items():
        if name not in examples:
            problems.append(f"{name}: missing")
            continue
        try:
            dumped = model.model_validate(examples[name]).model_dump(mode="json")
        except ValidationError as exc:
            problems.append(f"{name}: {exc}")
            continue
        if json.dumps(dumped) != json.dumps(examples[name]):  # the same keys, order, values and number types
            problems.append(f"{name}: differs from {model.__name__}'s JSON (keys {list(dumped)})")
    return problems


async def collect(index: Path, question: str) -> dict[str, Any]:
    """One real response of each kind, from the app over `index`."""
    import httpx

    from api.app import create_app
    from rag.settings import Settings

    app = create_app(Settings(index=index, generator="extractive", rate_limit_per_minute=0, api_keys=[]), warm=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://examples") as client:

        async def get(method: str, url: str, **kw: Any) -> Any:
            reply = await client.request(method, url, **kw)
            reply.raise_for_status()
            return reply.json()

        search = await get("GET", "/v1/search", params={"q": question, "k": 2})
        ask = await get("POST", "/v1/ask", json={"question": question, "top_k": 2})
        documents = await get("GET", "/v1/documents")
        verify = await get("POST", "/v1/verify", json={"text": VERIFY_TEXT})
        if not search["passages"] or not ask["citations"]:
            raise SystemExit(f"no passages or citations for {question!r}: pick a question this index answers")
        top = search["passages"][0]
        page = (top["pages"] or [1])[0]
        return {
            "_about": {"index_version": documents["version"], "question": question,
                       "made_by": "python -m api.openapi_examples --index DIR"},
            "passage": top, "search": search, "citation": ask["citations"][0], "sentence": ask["sentences"][0],
            "ask": ask, "document": await get("GET", f"/v1/documents/{top['doc_id']}"),
            "documents": {**documents, "documents": documents["documents"][:MAX_DOCUMENTS]},
            "page": await get("GET", f"/v1/documents/{top['doc_id']}/pages/{page}"),
            "ready": await get("GET", "/readyz"),
            "verified": verify["sentences"][0], "verify": verify,
        }


def main(argv: list[str] | None = None) -> None:
    """Collect, check and write the examples."""
    parser = argparse.ArgumentParser(prog="python -m api.openapi_examples", description=__doc__.split("\n")[0])
    parser.add_argument("--index", type=Path, required=True, help="A built index (gqa ingest ... --index DIR).")
    parser.add_argument("--question", default=QUESTION, help="A question the index answers.")
    parser.add_argument("--out", type=Path, default=schemas.EXAMPLES_FILE)
    args = parser.parse_args(argv)
    examples = asyncio.run(collect(args.index, args.question))
    problems = check(examples)
    if problems:
        raise SystemExit("examples do not match the response models:\n" + "\n".join(problems))
    args.out.write_text(json.dumps(examples, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.out} (index version {examples['_about']['index_version']})")


if __name__ == "__main__":
    main()
