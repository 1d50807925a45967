"""A LangChain retriever over our index, for users who want it in a LangChain chain.

Optional extra: `pip install guideline-qa[langchain]`. Only this edge module imports LangChain;
our own types stay free of it.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict

from rag.errors import require
from rag.types import Filters, Passage

require("langchain_core.retrievers", "langchain", "the LangChain adapter", "langchain-core")
from langchain_core.callbacks import CallbackManagerForRetrieverRun  # noqa: E402
from langchain_core.documents import Document  # noqa: E402
from langchain_core.retrievers import BaseRetriever  # noqa: E402


def to_document(passage: Passage) -> Document:
    """A LangChain Document: the verbatim text, and the full citation as metadata."""
    metadata = passage.to_dict()
    text = metadata.pop("text")
    return Document(page_content=text, metadata=metadata, id=passage.chunk_id)


class GuidelineRetriever(BaseRetriever):
    """`GuidelineRetriever(retriever=build_retriever(settings), k=5).invoke("question")`."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    retriever: Any  # rag.retrieval.retriever.Retriever (kept loose so pydantic does not inspect it)
    k: int = 5
    filters: Filters | None = None
    mode: str | None = None

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[Document]:
        result = self.retriever.search(query, k=self.k, filters=self.filters, mode=self.mode)
        return [to_document(p) for p in result.passages]
