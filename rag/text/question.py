"""A question checked once and translated once, at the first layer that receives it.

`Question` is a `str` (the stripped question text, so every function that takes the text takes
it as it is) that also carries what the retrievers search with: the dense and lexical query texts
and the detected language (English words from the glossary for a French or Spanish question).
The API checks and builds it at its edge, `QA` for the CLI and batch; the retriever, the
abstention signals and the extractive generator then read it instead of checking and
translating again.
"""

from __future__ import annotations

from rag.errors import BadRequest
from rag.text.translation import Query, translate_query


class Question(str):
    """The question text, checked, with its search queries attached."""

    query: Query

    def __new__(cls, text: str, query: Query):
        self = super().__new__(cls, text)
        self.query = query
        return self

    def __reduce__(self):  # so a Question crosses process boundaries (Ray, multiprocessing) whole
        return (Question, (str(self), self.query))


class QuestionError(BadRequest):
    """A question that cannot be served; `reason` is "empty" or "too_long" (the API maps it to a 422)."""

    def __init__(self, reason: str, message: str):
        super().__init__(message)
        self.reason = reason


def check_question(text: str | None, max_chars: int) -> str:
    """The stripped question; `QuestionError` when it is empty or longer than `max_chars`."""
    stripped = (text or "").strip()
    if not stripped:
        raise QuestionError("empty", "the question is empty")
    if len(stripped) > max_chars:
        raise QuestionError("too_long", f"the question is longer than {max_chars} characters")
    return stripped


def as_question(text: str | None, max_chars: int, translation: str = "glossary") -> Question:
    """`text` checked and translated, or returned as it is when it is a `Question` already."""
    if isinstance(text, Question):
        return text
    stripped = check_question(text, max_chars)
    return Question(stripped, translate_query(stripped, translation))
