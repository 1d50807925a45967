"""Documents a question names are boosted; contents/index listings are ranked last (real small index)."""

from __future__ import annotations

import pytest

from rag.index.reader import LiveIndex
from rag.retrieval.demotion import demote_navigation, is_navigation
from rag.retrieval.named_sources import document_names, named_documents
from rag.retrieval.retriever import Retriever
from rag.settings import Settings
from rag.types import DocumentMeta
from tests.support.index import Doc, Page, build_index

ZINC_WHO = ("Give zinc supplements to a child with diarrhoea: 10 mg per day for children under 6 months and "
            "20 mg per day for older children, for 10 to 14 days.")
ZINC_MSF = ("Zinc sulfate for acute diarrhoea in children: 10 mg once daily for children under 6 months and "
            "20 mg once daily for older children, for 10 days.")
CONTENTS = "\n".join(f"{entry} {'.' * 40} {n}" for n, entry in enumerate(
    ["Zinc for diarrhoea in children", "Oral rehydration salts", "Diarrhoea with blood", "Zinc sulfate tablets"], 20))

DOCS = (
    Doc("who/who_pocket_book_hospital_care_children.pdf", "Pocket book of hospital care for children", "WHO", 2013, (
        Page(CONTENTS, ("Front matter",), "v"),
        Page(ZINC_WHO, ("5. Diarrhoea", "5.2 Acute diarrhoea"), "134"),
    )),
    Doc("msf/msf_essential_drugs.pdf", "Essential drugs: practical guide", "MSF", 2025, (
        Page(ZINC_MSF, ("ZINC sulfate oral",), "339"),
    )),
    Doc("other/uganda_moh_paediatric_protocols.pdf", "Basic Paediatric Protocols", None, 2014, (
        Page("Give zinc to children with diarrhoea for 10 days: half a tablet under 6 months, one tablet above.",
             ("Diarrhoea",), "20"),
    )),
)


def _meta(source: str, title: str, organisation: str | None) -> DocumentMeta:
    return DocumentMeta(doc_id=source, source=source, title=title, organisation=organisation)


NAMES = document_names([_meta(d.source, d.title, d.organisation) for d in DOCS])


@pytest.mark.parametrize(("question", "expected"), [
    ("Zinc dose for a child with diarrhoea per MSF?", {"msf/msf_essential_drugs.pdf": 0.5}),
    ("Zinc dose in the WHO pocket book?", {"who/who_pocket_book_hospital_care_children.pdf": 1.0}),
    ("How long is zinc given (Uganda protocol)?", {"other/uganda_moh_paediatric_protocols.pdf": 1.0}),
    ("Selon l'OMS, combien de jours de zinc ?", {"who/who_pocket_book_hospital_care_children.pdf": 0.5}),
    ("According to Doctors Without Borders, how long is zinc given?", {"msf/msf_essential_drugs.pdf": 0.5}),
    # No source named: 'who' in lower case is a pronoun, 'essential drugs' without a document word is a topic.
    ("Who should get zinc for diarrhoea?", {}),
    ("Which essential drugs treat diarrhoea in children?", {}),
    ("Uganda has many children with diarrhoea: zinc dose?", {}),  # the first word is capitalised anyway
])
def test_named_documents(question, expected):
    assert named_documents(question, NAMES) == expected


def test_essential_drugs_guide_named_by_title_words():
    named = named_documents("What does the essential drugs guide say about zinc?", NAMES)
    assert named == {"msf/msf_essential_drugs.pdf": 1.0}


@pytest.fixture(scope="module")
def index(tmp_path_factory, embedder):
    return build_index(tmp_path_factory.mktemp("boost") / "index", embedder, DOCS)


def _search(index, embedder, question: str, **settings) -> list[str]:
    retriever = Retriever(LiveIndex(index), embedder, Settings(index=index, **settings))
    return [p.source for p in retriever.search(question, k=5).passages]


@pytest.mark.parametrize(("question", "source"), [
    ("How many days of zinc for a child with diarrhoea per MSF?", "msf/msf_essential_drugs.pdf"),
    ("How many days of zinc for a child with diarrhoea in the WHO pocket book?",
     "who/who_pocket_book_hospital_care_children.pdf"),
    ("How many days of zinc for a child with diarrhoea in the Uganda protocol?",
     "other/uganda_moh_paediatric_protocols.pdf"),
])
def test_the_named_document_comes_first(index, embedder, question, source):
    assert _search(index, embedder, question, source_boost=1.0)[0] == source


def test_contents_page_is_recognised_and_ranked_last(index, embedder):
    assert is_navigation(CONTENTS) and not is_navigation(ZINC_WHO)
    assert is_navigation("Zinc, 20\nORS, 21", ("Table of contents",))
    question = "zinc for diarrhoea in children"
    plain = Retriever(LiveIndex(index), embedder, Settings(index=index, demote_navigation=False, source_boost=0))
    listing = [is_navigation(p.text) for p in plain.search(question, k=5).passages]
    assert listing[0]  # the listing holds every query word: without demotion it comes first
    demoted = Retriever(LiveIndex(index), embedder, Settings(index=index, source_boost=0))
    listing = [is_navigation(p.text) for p in demoted.search(question, k=5).passages]
    assert any(listing) and listing == sorted(listing)  # all listings after all other passages


def test_demote_navigation_keeps_order_within_groups():
    assert demote_navigation([5, 1, 4, 2, 3], lambda i: i % 2 == 0) == [5, 1, 3, 4, 2]
    assert demote_navigation([1, 3], lambda i: False) == [1, 3]
