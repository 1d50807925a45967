"""Filters that match no indexed document, said plainly instead of an empty result.

`--org UNICEF` over an index of WHO and MSF guidelines finds nothing; without this the user sees
"no passages found" (or an abstention) and cannot tell a bad filter from a question the guidelines
do not answer. The CLI's search and ask and the API's /v1/search and /v1/ask refuse such filters
with this message. Matching is the index reader's (rag.index.reader.IndexReader.filter_documents).
"""

from __future__ import annotations

from collections.abc import Iterable

from rag.errors import BadRequest
from rag.types import DocumentMeta, Filters

_SHOWN = 12  # values listed in the message at most


class NoMatchingDocument(BadRequest):
    """The filters exclude every indexed document."""


def _matches(doc: DocumentMeta, name: str, value: object) -> bool:
    if name == "organisation":
        return (doc.organisation or "").lower() == str(value).lower()
    if name == "doc":
        return value in (doc.doc_id, doc.source)
    if name == "year":
        return doc.year == value
    return (doc.language or "").lower() == str(value).lower()


_WORDS = {"organisation": "from organisation", "doc": "with id or source", "year": "of year", "language": "in language"}
_INDEXED = {"organisation": "indexed", "doc": "indexed", "year": "indexed years", "language": "indexed languages"}


def _values(docs: list[DocumentMeta], name: str) -> str:
    values = sorted({str(getattr(d, "source" if name == "doc" else name)) for d in docs
                     if getattr(d, "source" if name == "doc" else name) not in (None, "")})
    shown = ", ".join(values[:_SHOWN]) + (f", ... ({len(values)} in all)" if len(values) > _SHOWN else "")
    return shown or "none recorded"


def unmatched(documents: Iterable[DocumentMeta], filters: Filters | None) -> str | None:
    """Why no indexed document passes `filters`, or None when some does (or there are no filters)."""
    if filters is None or filters.is_empty():
        return None
    docs = list(documents)
    given = {name: getattr(filters, name) for name in _WORDS if getattr(filters, name) not in (None, "")}
    if any(all(_matches(d, name, value) for name, value in given.items()) for d in docs):
        return None
    for name, value in given.items():
        if not any(_matches(d, name, value) for d in docs):
            return f"no indexed document {_WORDS[name]} {value}; {_INDEXED[name]}: {_values(docs, name)}"
    both = " and ".join(f"{_WORDS[name]} {value}" for name, value in given.items())
    return f"no indexed document is {both} at once"


def check_filters(documents: Iterable[DocumentMeta], filters: Filters | None) -> None:
    """Raise NoMatchingDocument (a BadRequest: the CLI's `error:` line, the API's 400) when nothing passes."""
    message = unmatched(documents, filters)
    if message:
        raise NoMatchingDocument(message)
