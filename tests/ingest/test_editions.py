"""Editions: organisation, title, edition and year per document; the older of two editions is superseded."""

from __future__ import annotations

from ingest.metadata import detect_edition, edition_key, edition_number, superseded
from ingest.parsers.pdf import parse_pdf
from tests.support.pdf import make_guideline_pdf


def test_edition_phrases():
    assert detect_edition("Pocket book ... Second edition 2013") == "Second edition"
    assert detect_edition("WHO Model List of Essential Medicines – 23rd List (2023)") == "23rd list"
    assert detect_edition("The original English edition shall be binding") is None
    assert (edition_number("Second edition"), edition_number("4th edition"), edition_number(None)) == (2, 4, 0)


def test_two_generated_editions_the_newest_supersedes(tmp_path):
    old = make_guideline_pdf(tmp_path / "old.pdf", title="Guidelines for the treatment of malaria, second edition",
                             year=2010, page_labels=False)
    new = make_guideline_pdf(tmp_path / "new.pdf", title="Guidelines for the treatment of malaria, third edition",
                             year=2015, page_labels=False)
    other = make_guideline_pdf(tmp_path / "other.pdf", title="Pocket book of hospital care", year=2013, page_labels=False)
    docs = {name: parse_pdf(f.path) for name, f in (("old", old), ("new", new), ("other", other))}
    assert (docs["old"].organisation, docs["old"].year, docs["old"].edition) == ("WHO", 2010, "Second edition")
    assert (docs["new"].year, docs["new"].edition) == (2015, "Third edition")
    assert edition_key(docs["old"].title, "WHO") == edition_key(docs["new"].title, "WHO")
    rows = [(name, d.title, d.organisation, d.year, d.edition) for name, d in docs.items()]
    assert superseded(rows) == {"old": "new"}


def test_same_year_the_higher_edition_wins_and_publishers_differ():
    rows = [("a", "Standard treatment manual", None, 2017, "3rd edition"),
            ("b", "Standard treatment manual", None, 2017, "4th edition"),
            ("c", "Standard treatment manual", "MSF", 2010, None)]
    assert superseded(rows) == {"a": "b"}
