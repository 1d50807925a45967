"""One real guideline PDF of the shared corpus (WHO hypertension 2021), ingested on its own for the
page-image and viewer tests: real pdfium text and layout, but seconds to build (hashed embedder, no OCR)."""

from __future__ import annotations

import shutil
from pathlib import Path

PDF = "who/who_guideline_pharmacological_treatment_hypertension_adults_2021.pdf"
PAGE = 11  # physical page of the summary table "Recommendations on frequency of assessment"
SENTENCE = ("WHO suggests a monthly follow up after initiation or a change in antihypertensive medications "
            "until patients reach target.")
HYPHEN_PAGE = 34  # "... continuing ACEis/ARBs in COVID-19-" / "infected patients" across a line break
HYPHENATED = "encourage continuing ACEis/ARBs in COVID-19-infected patients"


def ingest_real_pdf(corpus: Path, base: Path, embedder) -> Path:
    """Copy PDF from the corpus folder into `base` and ingest it; returns the index path."""
    from tests.support.index import ingest_folder

    folder = base / "corpus"
    (folder / Path(PDF).parent).mkdir(parents=True, exist_ok=True)
    shutil.copy(corpus / PDF, folder / PDF)
    index = base / "index"
    ingest_folder(folder, index, embedder, ocr=False)
    return index
