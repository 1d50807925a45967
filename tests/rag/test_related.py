"""The passages an abstention lists as "related": one per page, and the extractive quote flag."""

from __future__ import annotations

from rag.qa import RELATED, _related
from rag.types import Passage


def _p(chunk: str, doc: str, pages: list[int] | None, lines: list[int] | None = None) -> Passage:
    return Passage(chunk, "text", 1.0, f"{doc}.pdf", doc, "WHO", 2020, "", pages, [], lines, doc)


def test_two_chunks_of_one_page_are_listed_once():
    passages = [_p("a", "d1", [5]), _p("b", "d1", [5]), _p("c", "d1", [6]), _p("d", "d2", [5]), _p("e", "d2", [9])]
    assert [p.chunk_id for p in _related(passages)] == ["a", "c", "d"][:RELATED]


def test_unpaged_passages_differ_by_their_lines():
    passages = [_p("a", "m", None, [1, 9]), _p("b", "m", None, [1, 9]), _p("c", "m", None, [10, 20])]
    assert [p.chunk_id for p in _related(passages)] == ["a", "c"]


def test_the_extractive_generator_marks_its_lines_as_quotes():
    from rag.answering.generators.extractive import ExtractiveGenerator
    from rag.settings import Settings

    passages = [Passage("a", "Give zinc 20 mg daily for 10 days to children with diarrhoea.", 1.0, "d1.pdf", "d1", "WHO",
                          2020, "", [5], [], None, "d1")]
    generation = ExtractiveGenerator(Settings()).generate("How long is zinc given for diarrhoea?", passages)
    assert generation.text and generation.quoted_lines
