"""Small real indexes (SQLite + FTS5 + FAISS, the real embedder) built from generated guideline text.

The documents mimic the corpus's traps: a guideline repeating its recommendations in a summary,
an older edition saying the same thing, doses with units, and documents of several organisations.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from ingest.chunker import ChunkerParams, chunk_blocks
from ingest.blocks import Block
from rag.index.writer import IndexWriter
from rag.types import DocumentMeta

PARAMS = ChunkerParams(120, 20, 256)

ARTESUNATE = ("Children weighing < 20 kg should receive a higher dose of artesunate (3 mg/kg bw per dose) "
              "than larger children and adults (2.4 mg/kg bw per dose) to ensure equivalent exposure to the drug.")


@dataclass(frozen=True)
class Page:
    text: str
    section: tuple[str, ...]
    label: str


@dataclass(frozen=True)
class Doc:
    source: str
    title: str
    organisation: str
    year: int
    pages: tuple[Page, ...]
    language: str = "en"


DOCS = (
    Doc("who/malaria_2025.pdf", "WHO guidelines for malaria", "WHO", 2025, (
        Page("Strong recommendation. " + ARTESUNATE, ("Summary of recommendations",), "xi"),
        Page("Vector control. Insecticide-treated nets should be distributed free of charge to populations at risk.",
             ("5. Vector control",), "40"),
        Page("Treating severe malaria. Adults and children with severe malaria should be treated with intravenous "
             "or intramuscular artesunate for at least 24 h and until they can tolerate oral medication. "
             + ARTESUNATE, ("7. Severe malaria", "7.2 Artesunate dosing"), "150"),
    )),
    Doc("who/malaria_2015.pdf", "Guidelines for the treatment of malaria, third edition", "WHO", 2015, (
        Page(ARTESUNATE + " Give three doses.",
             ("Severe malaria",), "77"),
    )),
    Doc("msf/essential_drugs.pdf", "Essential drugs: practical guide", "MSF", 2023, (
        Page("Zinc sulfate. Acute diarrhoea in children under 5 years: give zinc once daily for 10 days, combined "
             "with oral rehydration salts (ORS). Children under 6 months: 10 mg once daily.",
             ("Oral drugs", "Zinc sulfate"), "210"),
        Page("Amoxicillin. Pneumonia in children: 30 mg/kg/dose 3 times daily for 5 days. Do not exceed 3 g daily.",
             ("Oral drugs", "Amoxicillin"), "22"),
    )),
    Doc("other/oxygen_manual.pdf", "Paediatric oxygen therapy", "MoH", 2014, (
        Page("Oxygen therapy. Give oxygen to all children with oxygen saturation (SpO2) below 90%, measured with a "
             "pulse oximeter. Use nasal prongs at 1-2 litres per minute.", ("Oxygen", "Indications"), "12"),
        Page("Fast breathing. A respiratory rate of 50 breaths per minute or more in a child aged 2 to 12 months "
             "is fast breathing.", ("Pneumonia", "Assessment"), "13"),
    )),
    Doc("msf/guide_fr.pdf", "Guide clinique et thérapeutique", "MSF", 2023, (
        Page("Paludisme grave : administrer l'artésunate par voie intraveineuse pendant au moins 24 heures.",
             ("Paludisme",), "180"),
    ), language="fr"),
)


def _meta(doc: Doc) -> DocumentMeta:
    return DocumentMeta(doc_id=hashlib.sha256(doc.source.encode()).hexdigest(), source=doc.source, title=doc.title,
                        organisation=doc.organisation, year=doc.year, language=doc.language, format="pdf",
                        page_count=len(doc.pages), bytes=100)


def build_index(index: Path, embedder, docs: tuple[Doc, ...] = DOCS) -> Path:
    """Write `docs` as one index version at `index`; return the index path."""
    with IndexWriter(index, embedder.info, PARAMS.to_dict()) as writer:
        for doc in docs:
            meta = _meta(doc)
            blocks = [Block(text=p.text, section=p.section, page=n, page_label=p.label)
                      for n, p in enumerate(doc.pages, start=1)]
            chunks = chunk_blocks(blocks, doc_id=meta.doc_id, title=meta.title, count_tokens=embedder.count_tokens,
                                  params=PARAMS)
            vectors = embedder.embed_documents([f"{c.header}\n{c.text}" for c in chunks])
            writer.add(meta, chunks, vectors, [p.text for p in doc.pages], [p.label for p in doc.pages])
        writer.commit()
    return index
