"""The LangChain adapter: a real BaseRetriever over a real index (the fake embedder: the adapter only
carries what the retriever found), usable in a runnable chain."""

from __future__ import annotations

import pytest

pytest.importorskip("langchain_core")

from langchain_core.runnables import RunnableLambda  # noqa: E402

from rag.index.reader import LiveIndex  # noqa: E402
from rag.retrieval.langchain_adapter import GuidelineRetriever  # noqa: E402
from rag.retrieval.retriever import Retriever  # noqa: E402
from rag.settings import Settings  # noqa: E402
from rag.types import Filters  # noqa: E402


@pytest.fixture(scope="module")
def retriever(fake_index, fake_embedder):
    return Retriever(LiveIndex(fake_index), fake_embedder, Settings(index=fake_index))


def test_documents_carry_text_and_citation(retriever):
    docs = GuidelineRetriever(retriever=retriever, k=2).invoke("oxygen saturation below 90%")
    assert len(docs) == 2
    top = docs[0]
    assert "Give oxygen to all children" in top.page_content
    assert top.metadata["source"] == "other/oxygen_manual.pdf" and top.metadata["pages"] == [1]
    assert top.metadata["section"] == "Oxygen > Indications" and top.metadata["rank"] == 1
    assert top.id == top.metadata["chunk_id"] and "text" not in top.metadata


def test_filters_pass_through_and_it_composes_in_a_chain(retriever):
    lc = GuidelineRetriever(retriever=retriever, k=3, filters=Filters(organisation="MSF"))
    chain = lc | RunnableLambda(lambda docs: [d.metadata["organisation"] for d in docs])
    orgs = chain.invoke("artesunate for severe malaria")
    assert orgs and set(orgs) == {"MSF"}
