"""The newest edition is preferred: two generated editions of one guideline ingested with the real pipeline and
the real embedder; a question both answer ranks the newer first, the older stays reachable, and the citation
JSON and the prompt's source list say it is superseded. Plus `prefer_newest_edition` on its own."""

from __future__ import annotations

import pytest

from rag.answering.generators.extractive import ExtractiveGenerator
from rag.answering.prompt import chat_messages, sources_block
from rag.index.reader import IndexReader, LiveIndex
from rag.qa import QA
from rag.retrieval.demotion import prefer_newest_edition
from rag.retrieval.fusion import shingles
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from rag.types import Citation, Filters
from tests.support.editions import (
    NEW_EDITION,
    NEW_LABEL,
    NEW_TITLE,
    OLD_EDITION,
    OLD_TITLE,
    OLD_YEAR,
    ONLY_OLD_QUESTION,
    SEVERE_QUESTION,
    write_new_edition,
    write_old_edition,
    write_other_guideline,
)
from tests.support.index import ingest_folder


@pytest.fixture(scope="module")
def editions(tmp_path_factory, embedder):
    """(index, {"old": DocumentMeta, "new": DocumentMeta}) of both editions and an unrelated guideline."""
    base = tmp_path_factory.mktemp("editions")
    old, new = write_old_edition(base / "guidelines"), write_new_edition(base / "guidelines")
    write_other_guideline(base / "guidelines")
    ingest_folder(base / "guidelines", base / "index", embedder)
    docs = {d.source: d for d in IndexReader.open(base / "index").documents.values()}
    return base / "index", {"old": docs[old.path.name], "new": docs[new.path.name]}


def _search(index, embedder, question, **kw):
    return Retriever(LiveIndex(index), embedder, Settings(index=index)).search(question, **kw).passages


def test_a_question_both_editions_answer_ranks_the_newer_first(editions, embedder):
    index, docs = editions
    passages = _search(index, embedder, SEVERE_QUESTION, k=5)
    sources = [p.source for p in passages]
    assert sources[0] == docs["new"].source and "Artesunate" in passages[0].text
    old = next(p for p in passages if p.source == docs["old"].source)
    assert "quinine" in old.text and old.rank == 2  # just below its replacement, not dropped
    assert (old.superseded_by, old.superseded_by_label) == (docs["new"].doc_id, NEW_LABEL)
    assert passages[0].superseded_by is None
    assert old.to_dict()["superseded_by"] == docs["new"].doc_id and old.to_dict()["edition"] == OLD_EDITION


def test_the_older_edition_stays_retrievable(editions, embedder):
    index, docs = editions
    filtered = _search(index, embedder, SEVERE_QUESTION, k=3, filters=Filters(doc=docs["old"].source))
    assert filtered and {p.source for p in filtered} == {docs["old"].source} and "quinine" in filtered[0].text
    only_old = _search(index, embedder, ONLY_OLD_QUESTION, k=3)  # a topic the newer edition dropped
    assert only_old[0].source == docs["old"].source and "chloroquine" in only_old[0].text


def test_citation_json_and_prompt_say_which_edition_and_that_it_is_superseded(editions, embedder):
    index, docs = editions
    passages = _search(index, embedder, SEVERE_QUESTION, k=3)
    old = next(p for p in passages if p.source == docs["old"].source)
    cited = Citation(n=2, passage=old, quote="give intravenous quinine").to_dict()
    assert (cited["organisation"], cited["title"], cited["edition"], cited["year"]) == ("WHO", OLD_TITLE, OLD_EDITION,
                                                                                         OLD_YEAR)
    assert cited["superseded_by"] == docs["new"].doc_id and cited["superseded_by_label"] == NEW_LABEL
    # Keys added after the contract come after it: the fixed ones keep their order.
    assert list(cited)[:7] == ["n", "source", "pages", "lines", "section", "title", "quote"]

    block = sources_block(passages)
    lines = {p.source: line for p, line in zip(passages, [ln for ln in block.split("\n") if ln.startswith("[")])}
    assert f'"{OLD_TITLE}", {OLD_EDITION} ({OLD_YEAR}) (superseded by {NEW_LABEL})' in lines[docs["old"].source]
    assert "superseded" not in lines[docs["new"].source] and f'"{NEW_TITLE}", {NEW_EDITION} (2015)' in lines[
        docs["new"].source]
    assert "(superseded by Third edition, 2015)" in chat_messages(SEVERE_QUESTION, passages)[1]["content"]


def test_an_answers_citations_carry_the_edition_and_the_mark(editions, embedder):
    index, docs = editions
    settings = Settings(index=index, top_k=3)
    qa = QA(Retriever(LiveIndex(index), embedder, settings), ExtractiveGenerator(settings), settings)
    answer = qa.ask(SEVERE_QUESTION).to_dict()
    assert not answer["abstained"] and answer["citations"]
    by_source = {d.source: d for d in docs.values()}
    for cited in answer["citations"]:
        doc = by_source[cited["source"]]
        assert (cited["edition"], cited["year"], cited["organisation"]) == (doc.edition, doc.year, "WHO")
        assert cited["superseded_by"] == doc.superseded_by
    assert [p["source"] for p in answer["passages"]][:2] == [docs["new"].source, docs["old"].source]
    assert [p["superseded_by"] for p in answer["passages"]][:2] == [None, docs["new"].doc_id]
    old_cited = [c["n"] for c in answer["citations"] if c["superseded_by"]]
    assert old_cited  # the extractive answer quotes the older edition too (its wording fits this question)
    # Quoting the older edition is said in a notice, beside the mark on the citation.
    assert [n for n in old_cited if any(m.startswith(f"[{n}] quotes") and "superseded by" in m
                                        for m in answer["notices"])] == old_cited


# --- prefer_newest_edition alone: ids 1..9, documents "old" (superseded by "new") and "other"
def _prefer(order, docs, texts, sections=None):
    sections = sections or {}
    return prefer_newest_edition(order, docs.__getitem__, {"old": "new"}, lambda i: shingles(texts[i]),
                                 lambda i: sections.get(i, ()))


def test_the_equivalent_passage_of_the_newest_edition_moves_up_to_the_superseded_one():
    docs = {1: "old", 2: "other", 3: "new", 4: "new"}
    texts = {1: "give quinine 10 mg/kg every 8 hours for severe malaria",
             2: "zinc for ten days", 3: "nets for everyone", 4: "give artesunate 2.4 mg/kg every 8 hours for severe malaria"}
    assert _prefer([1, 2, 3, 4], docs, texts) == [4, 1, 2, 3]  # 4 shares 'every 8 hours for severe malaria'


def test_the_same_section_title_makes_passages_equivalent_across_renumbering():
    docs = {1: "old", 2: "new", 3: "new"}
    texts = {1: "quinine loading dose", 2: "nets for everyone", 3: "artesunate now recommended"}
    sections = {1: ("2. Treatment", "2.2 Severe malaria"), 2: ("3. Prevention",), 3: ("4. Treatment", "4.1 Severe malaria")}
    assert _prefer([1, 2, 3], docs, texts, sections) == [3, 1, 2]


def test_without_an_equivalent_or_with_it_already_above_the_order_stays():
    docs = {1: "old", 2: "new", 3: "other"}
    texts = {1: "chloroquine prophylaxis for travellers", 2: "nets for everyone", 3: "zinc"}
    assert _prefer([1, 2, 3], docs, texts) == [1, 2, 3]  # nothing in the newest edition says this
    texts[2] = "chloroquine prophylaxis for travellers is no longer advised"
    assert _prefer([2, 1, 3], docs, texts) == [2, 1, 3]
    assert prefer_newest_edition([1, 2, 3], docs.__getitem__, {}, lambda i: frozenset(), lambda i: ()) == [1, 2, 3]
