"""Two editions of one guideline through the real ingest pipeline (generated PDFs, real SQLite/FAISS, the fake
embedder: these check the marks, not meaning): the older edition is marked superseded by the newer one in the
manifest and by the reader, also when the newer one arrives in a later ingest."""

from __future__ import annotations

import json
import os
from pathlib import Path

from ingest.pipeline import ingest
from rag.index import layout
from rag.index.reader import IndexReader
from rag.index.verify import verify_version
from rag.settings import Settings
from tests.support.editions import (
    NEW_EDITION,
    NEW_LABEL,
    NEW_YEAR,
    OLD_EDITION,
    OLD_YEAR,
    write_new_edition,
    write_old_edition,
    write_other_guideline,
)


def _ingest(folder: Path, index: Path, embedder):
    report = ingest([folder], embedder, Settings(index=index))
    assert not [f for f in report.files if f.status == "failed"], report.to_dict()
    return report


def _by_source(reader: IndexReader) -> dict:
    return {d.source: d for d in reader.documents.values()}


def test_the_older_of_two_editions_is_marked_superseded_in_the_manifest(tmp_path, fake_embedder):
    folder = tmp_path / "guidelines"
    old, new = write_old_edition(folder), write_new_edition(folder)
    write_other_guideline(folder)
    _ingest(folder, tmp_path / "index", fake_embedder)
    reader = IndexReader.open(tmp_path / "index")
    assert verify_version(reader.dir) == []
    docs = _by_source(reader)
    older, newer, other = docs[old.path.name], docs[new.path.name], docs["hypertension.pdf"]
    assert (older.organisation, older.edition, older.year) == ("WHO", OLD_EDITION, OLD_YEAR)
    assert (newer.edition, newer.year) == (NEW_EDITION, NEW_YEAR)
    assert older.superseded_by == newer.doc_id and older.superseded_by_label == NEW_LABEL
    assert newer.superseded_by is None and other.superseded_by is None
    assert reader.superseded == {older.doc_id: newer.doc_id}
    listed = {d["source"]: d["superseded_by"] for d in reader.manifest["documents"]}
    assert listed == {old.path.name: newer.doc_id, new.path.name: None, "hypertension.pdf": None}
    # GET /v1/documents shows the mark too (DocumentJSON is every DocumentMeta field).
    assert older.to_dict()["superseded_by"] == newer.doc_id and older.to_dict()["superseded_by_label"] == NEW_LABEL


def test_an_edition_added_by_a_later_ingest_supersedes_the_indexed_one(tmp_path, fake_embedder):
    folder, index = tmp_path / "guidelines", tmp_path / "index"
    old = write_old_edition(folder)
    _ingest(folder, index, fake_embedder)
    first = IndexReader.open(index)
    assert first.superseded == {} and _by_source(first)[old.path.name].superseded_by is None

    new = write_new_edition(folder)
    report = _ingest(folder, index, fake_embedder)
    assert {f.source: f.status for f in report.files} == {old.path.name: "unchanged", new.path.name: "ingested"}
    second = IndexReader.open(index)
    assert second.version != first.version
    docs = _by_source(second)
    assert docs[old.path.name].superseded_by == docs[new.path.name].doc_id
    assert docs[old.path.name].superseded_by_label == NEW_LABEL
    # The version the server was reading is untouched: the mark arrives with the new version only.
    assert IndexReader(first.dir).superseded == {}

    # Once the newer edition is gone again (--prune), nothing is superseded.
    (folder / new.path.name).unlink()
    ingest([folder], fake_embedder, Settings(index=index), prune=True)
    assert IndexReader.open(index).superseded == {}


def test_unchanged_files_publish_no_new_version(tmp_path, fake_embedder):
    folder, index = tmp_path / "guidelines", tmp_path / "index"
    write_old_edition(folder), write_new_edition(folder)
    _ingest(folder, index, fake_embedder)
    before = os.path.realpath(index)
    report = _ingest(folder, index, fake_embedder)
    assert report.version is None and os.path.realpath(index) == before


def test_a_version_written_before_the_marks_opens_and_gets_them_on_the_next_ingest(tmp_path, fake_embedder):
    folder, index = tmp_path / "guidelines", tmp_path / "index"
    old, new = write_old_edition(folder), write_new_edition(folder)
    _ingest(folder, index, fake_embedder)
    manifest_path = layout.current_dir(index) / layout.MANIFEST
    manifest = json.loads(manifest_path.read_text())
    for doc in manifest["documents"]:
        del doc["superseded_by"]  # what versions written before this change hold
    manifest_path.write_text(json.dumps(manifest))

    reader = IndexReader.open(index)
    assert verify_version(reader.dir) == []
    assert reader.superseded == {} and all(d.superseded_by is None for d in reader.documents.values())
    assert all(d.superseded_by_label is None for d in reader.documents.values())

    report = _ingest(folder, index, fake_embedder)  # no file changed, but the marks did: a new version
    assert report.version is not None
    docs = _by_source(IndexReader.open(index))
    assert docs[old.path.name].superseded_by == docs[new.path.name].doc_id
