"""Tables chunked whole: cut between rows only, header rows and the row-group label repeated in every piece."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.chunker import ChunkerParams, chunk_blocks
from ingest.parsers.markdown import parse_markdown
from ingest.tables import parse_table, split_table

HEAD = ["| Age | 1 to < 4 months | 4 to < 12 months | 1 to < 3 years |",
        "|-----------|-----------|-----------|-----------|",
        "| **Weight** | 3 to < 6 kg | 6 to < 10 kg | 10 to < 15 kg |"]


def _table(drugs: int = 6, forms: int = 4) -> str:
    rows = []
    for d in range(drugs):
        rows.append(f"| **drug{d}** | | | |")  # a row-group label: the drug
        rows += [f"| form{d}-{f} tablet, dose in ml (5 mg/ml) | {d}.{f}1 ml | {d}.{f}2 ml | {d}.{f}3 ml |" for f in range(forms)]
    return "\n".join(HEAD + rows)


def test_band_rows_below_the_rule_are_header_rows():
    table = parse_table(_table(1, 1))
    assert [r.text for r in table.header] == HEAD and len(table.body) == 2


def test_long_table_pieces_repeat_headers_and_group_labels(fake_embedder):
    text = "Table 4 - Doses by weight band\n\n" + _table()
    path = Path("doses.md")
    doc = parse_markdown(path, text=text)
    chunks = chunk_blocks(doc.blocks, doc_id="d" * 64, title="Doses", count_tokens=fake_embedder.count_tokens,
                          params=ChunkerParams(chunk_tokens=120, chunk_overlap=20, max_tokens=160))
    table_chunks = [c for c in chunks if "form" in c.text]
    assert len(table_chunks) > 3  # the table did not fit one chunk
    seen_rows = []
    for chunk in table_chunks:
        lines = chunk.text.split("\n")
        assert lines[0].startswith("| Age |") and lines[2].startswith("| **Weight** |"), chunk.text
        body = lines[3:]
        assert body[0].startswith("| **drug"), "every piece names the drug its rows belong to"
        for line in body:
            assert line.startswith("|") and line.rstrip().endswith("|"), "never cut inside a row"
            if "form" in line:
                seen_rows.append(line.split("|")[1].strip())
                drug = line.split("form")[1].split("-")[0]
                assert f"**drug{drug}**" in chunk.text
        assert fake_embedder.count_tokens(f"{chunk.header}\n{chunk.text}") <= 160
    assert len(seen_rows) == len(set(seen_rows)) == 24  # every row once, none lost


def test_a_table_that_fits_stays_exactly_as_written():
    text = _table(1, 2)
    assert split_table(text, lambda t: True) == [(text, 0, text.count("\n"))]


CORPUS_MD = (Path(__file__).resolve().parents[3] / "shared" / "corpus" / "msf"
             / "msf_clinical_guidelines_diagnosis_treatment_manual.md")


@pytest.mark.slow
@pytest.mark.corpus
def test_msf_table_1_keeps_age_and_weight_with_every_dose(fake_embedder):
    doc = parse_markdown(CORPUS_MD)
    chunks = chunk_blocks(doc.blocks, doc_id="d" * 64, title=doc.title, count_tokens=fake_embedder.count_tokens,
                          params=ChunkerParams(max_tokens=256))
    rows = ["**midazolam** IM route", "**diazepam** rectal route", "**midazolam** buccal", "**diazepam** slow IV"]
    for row in rows:
        holding = [c for c in chunks if row in c.text and "Table 1 - Dosage of benzodiazepines" in c.header]
        assert holding, row
        for chunk in holding:
            assert "| Age | 1 to < 4 months" in chunk.text and "| **Weight** | 3 to < 6 kg" in chunk.text, chunk.text
    im = next(c for c in chunks if "**midazolam** IM route" in c.text)
    assert "| 0.6 ml | 1.2 ml | 2 ml |" in im.text


def test_html_table_becomes_a_pipe_table_with_caption_and_header(tmp_path, fake_embedder):
    from ingest.parsers.html import parse_html

    rows = "".join(f"<tr><td>{kg} kg band with a long description of the patient group</td><td>{kg * 2} mg</td></tr>"
                   for kg in range(3, 40))
    path = tmp_path / "t.html"
    path.write_text(f"<html><body><h1>Doses</h1><table><caption>Table 2 - Paracetamol</caption>"
                    f"<thead><tr><th>Weight</th><th>Dose</th></tr></thead><tbody>{rows}</tbody></table></body></html>")
    doc = parse_html(path)
    table = next(b for b in doc.blocks if b.kind == "table")
    assert table.text.split("\n")[:3] == ["Table 2 - Paracetamol", "| Weight | Dose |", "|---|---|"]
    chunks = chunk_blocks(doc.blocks, doc_id="d" * 64, title="Doses", count_tokens=fake_embedder.count_tokens,
                          params=ChunkerParams(chunk_tokens=100, chunk_overlap=10, max_tokens=128))
    assert len(chunks) > 2
    for chunk in chunks:
        assert chunk.text.startswith("Table 2 - Paracetamol\n| Weight | Dose |\n|---|---|\n"), chunk.text
