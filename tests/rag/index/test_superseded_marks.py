"""The writer publishes `superseded_by` per document in the manifest; the reader names the newest edition and
reads versions without the key as null (real IndexWriter / IndexReader, the fake embedder)."""

from __future__ import annotations

import json

from rag.index import layout
from rag.index.reader import IndexReader
from rag.index.writer import IndexWriter
from tests.support.index import PARAMS, Doc, Page, doc_parts

OLD = Doc("who/malaria_2010.pdf", "Guidelines for the treatment of malaria, second edition", "WHO", 2010,
          (Page("Give intravenous quinine for severe malaria.", ("Severe malaria",), "12"),))
NEW = Doc("who/malaria_2015.pdf", "Guidelines for the treatment of malaria, third edition", "WHO", 2015,
          (Page("Give intravenous artesunate for severe malaria.", ("Severe malaria",), "14"),))
OTHER = Doc("msf/drugs.pdf", "Essential drugs", "MSF", 2023, (Page("Zinc for 10 days.", ("Zinc",), "3"),))


def _write(index, embedder, docs=(), remove=(), marks=None):
    with IndexWriter(index, embedder.info, PARAMS.to_dict()) as writer:
        for source in remove:
            writer.remove(source)
        for doc in docs:
            writer.add(*doc_parts(doc, embedder))
        ids = writer.documents()  # source -> doc_id
        if marks is not None:
            writer.supersede({ids[old]: ids[new] for old, new in marks.items()})
        return writer.commit()


def _sources(reader: IndexReader) -> dict:
    return {d.source: d for d in reader.documents.values()}


def test_marks_are_published_and_named_after_the_newest_edition(tmp_path, fake_embedder):
    index = tmp_path / "index"
    _write(index, fake_embedder, (OLD, NEW, OTHER), marks={OLD.source: NEW.source})
    reader = IndexReader.open(index)
    docs = _sources(reader)
    assert docs[OLD.source].superseded_by == docs[NEW.source].doc_id
    assert docs[OLD.source].superseded_by_label == "2015"  # no edition recorded for it here: the year alone
    assert docs[NEW.source].superseded_by is None and docs[OTHER.source].superseded_by is None
    row = reader.chunks([1])[1]
    passage = reader.passage(row, 1.0)
    assert passage.source == OLD.source and passage.superseded_by == docs[NEW.source].doc_id
    assert passage.to_dict()["superseded_by"] == docs[NEW.source].doc_id
    assert passage.to_dict()["superseded_by_label"] == "2015"


def test_a_writer_that_does_not_compare_editions_keeps_the_marks_while_both_documents_stay(tmp_path, fake_embedder):
    index = tmp_path / "index"
    _write(index, fake_embedder, (OLD, NEW), marks={OLD.source: NEW.source})
    _write(index, fake_embedder, (OTHER,))  # adds a document, no supersede() call
    docs = _sources(IndexReader.open(index))
    assert docs[OLD.source].superseded_by == docs[NEW.source].doc_id
    _write(index, fake_embedder, remove=(NEW.source,))  # the newest edition removed: no dangling mark
    reader = IndexReader.open(index)
    assert reader.superseded == {} and _sources(reader)[OLD.source].superseded_by is None


def test_a_changed_mark_alone_publishes_a_version_and_an_unchanged_one_does_not(tmp_path, fake_embedder):
    index = tmp_path / "index"
    _write(index, fake_embedder, (OLD, NEW))
    assert IndexReader.open(index).superseded == {}
    assert _write(index, fake_embedder, marks={}) is None
    assert _write(index, fake_embedder, marks={OLD.source: NEW.source}) is not None
    assert _write(index, fake_embedder, marks={OLD.source: NEW.source}) is None
    assert len(IndexReader.open(index).superseded) == 1


def test_a_manifest_without_the_key_or_with_a_mark_to_a_missing_document_reads_as_null(tmp_path, fake_embedder):
    index = tmp_path / "index"
    _write(index, fake_embedder, (OLD, NEW), marks={OLD.source: NEW.source})
    path = layout.current_dir(index) / layout.MANIFEST
    manifest = json.loads(path.read_text())
    manifest["documents"][0].pop("superseded_by")
    manifest["documents"][1]["superseded_by"] = "f" * 64
    path.write_text(json.dumps(manifest))
    reader = IndexReader.open(index)
    assert reader.superseded == {}
    assert all(d.superseded_by is None and d.superseded_by_label is None for d in reader.documents.values())
