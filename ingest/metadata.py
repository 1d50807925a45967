"""Document facts guessed from metadata and front-matter text: title, organisation, year, language, licence."""

from __future__ import annotations

import re

from ingest.blocks import ParsedDocument
from rag.text.language import detect_language
from rag.text.words import fold

FRONT_PAGES = 6  # copyright, ISBN and licence notices live in the first few pages

# Long names in any case; acronyms only in capitals ('who' is an English word).
_ORGS = {
    "WHO": re.compile(r"(?i:world health organi[sz]ation)|\bWHO\b"),
    "MSF": re.compile(r"(?i:medecins sans frontieres|doctors without borders)|\bMSF\b"),
}
_COPYRIGHT_YEAR = re.compile(r"(?:©|\(c\)|copyright)[^\n\d]{0,80}?\b(19[5-9]\d|20\d\d)\b", re.IGNORECASE)
_YEAR = re.compile(r"\b(19[5-9]\d|20\d\d)\b")
_CC = re.compile(r"CC[ -]BY(?:-NC)?(?:-SA)?(?:-ND)?[ -]?(\d\.\d)?(?:[ -]?IGO)?", re.IGNORECASE)
_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth"]
# 'Second edition', '4th Edition', and the WHO Model List's '23rd List'.
_EDITION = re.compile(
    r"\b((?:" + "|".join(_ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th))\s+(?:edition|list|revision))\b",
    re.IGNORECASE,
)
_EDITION_WORDS = re.compile(
    r"\b(?:" + "|".join(_ORDINALS) + r"|\d{1,2}(?:st|nd|rd|th)|edition|ed|revised|revision|list|version|update[d]?)\b"
    r"|\b(?:19|20)\d\d\b|\b\d{1,2}\s+(?:january|february|march|april|may|june|july|august|september|october|"
    r"november|december)\b|[^\w\s]",
    re.IGNORECASE,
)
_JUNK_TITLE = re.compile(r"\.(indd|docx?|pdf|qxd|p65|pm\d|rtf)\b|^untitled|^microsoft word", re.IGNORECASE)


def detect_organisation(front: str, meta: str = "") -> str | None:
    """WHO or MSF from the copyright line, metadata, then front matter; None for other publishers."""
    folded, meta_folded = fold(front), fold(meta)
    for line in folded.split("\n"):
        if "©" in line or "copyright" in line.lower():
            if org := _first_org(line):
                return org
    if org := _first_org(meta_folded):
        return org
    # National guidelines cite WHO often but are published by a ministry: not WHO's own words.
    if re.search(r"ministry of health", folded[:3000], re.IGNORECASE):
        return None
    return _first_org(folded)


def _first_org(text: str) -> str | None:
    """The organisation whose name appears first in text."""
    hits = [(found.start(), org) for org, pattern in _ORGS.items() if (found := pattern.search(text))]
    return min(hits)[1] if hits else None


def detect_year(pages: list[str], meta_date: str | None = None) -> int | None:
    """Year from '© ... 20xx', else the ISBN page, else the cover, else the metadata date."""
    for text in pages:
        if found := _COPYRIGHT_YEAR.search(text):
            return int(found.group(1))
    for text in pages:
        if "ISBN" in text and (years := _YEAR.findall(text)):
            return max(int(y) for y in years)
    cover = next((text for text in pages if text.strip()), "")
    if years := _YEAR.findall(cover):
        return max(int(y) for y in years)
    if meta_date and (found := re.search(r"(19|20)\d\d", meta_date)):
        return int(found.group(0))
    return None


def detect_licence(text: str) -> str | None:
    """'CC BY-NC-SA 3.0 IGO'-style licences or 'All rights reserved', as stated in the document."""
    if found := _CC.search(text):
        return re.sub(r"\s+", " ", found.group(0).upper().replace("CC-BY", "CC BY"))
    if re.search(r"all rights reserved", text, re.IGNORECASE):
        return "All rights reserved"
    return None


def detect_edition(text: str) -> str | None:
    """'Second edition', '4th Edition' as printed in the front matter."""
    found = _EDITION.search(text)
    if not found:
        return None
    edition = " ".join(found.group(1).split())  # a title wrapped over two lines: 'Third\nedition'
    return edition[0].upper() + edition[1:].lower()


def edition_number(edition: str | None) -> int:
    """'Second edition' -> 2, '23rd list' -> 23; 0 when unknown."""
    if not edition:
        return 0
    word = edition.split()[0].lower()
    if word in _ORDINALS:
        return _ORDINALS.index(word) + 1
    digits = re.match(r"\d+", word)
    return int(digits.group(0)) if digits else 0


def edition_key(title: str, organisation: str | None) -> str:
    """What two editions of one guideline share: the publisher and the title without years and edition words."""
    words = _EDITION_WORDS.sub(" ", fold(title)).casefold().split()
    return f"{(organisation or '').casefold()}|{' '.join(words)}"


def superseded(documents: list[tuple[str, str, str | None, int | None, str | None]]) -> dict[str, str]:
    """doc_id -> doc_id of the newest edition, for every older edition of a guideline indexed twice or more.

    documents: (doc_id, title, organisation, year, edition). Newest is the latest year, then the
    higher edition number; a document without a year is never taken as newer than one with a year.
    Documents that tie (same year and edition: two parts, two copies) supersede nothing among themselves.
    """
    groups: dict[str, list[tuple[str, str, str | None, int | None, str | None]]] = {}
    for doc in documents:
        groups.setdefault(edition_key(doc[1], doc[2]), []).append(doc)
    out: dict[str, str] = {}
    for members in groups.values():
        if len(members) < 2:
            continue
        age = {d[0]: (d[3] or 0, edition_number(d[4])) for d in members}
        newest = max(members, key=lambda d: age[d[0]])
        if sum(age[d[0]] == age[newest[0]] for d in members) > 1:
            continue  # no single newest edition: marking one of the tied ones would be a guess
        out.update({d[0]: newest[0] for d in members if d[0] != newest[0]})
    return out


def good_title(title: str | None) -> str | None:
    """A metadata title worth keeping: not a file name, not a single token like 'HBprelims'."""
    title = re.sub(r"\s+", " ", (title or "")).strip()
    if not title or _JUNK_TITLE.search(title) or " " not in title:
        return None
    return title


def fill_text_facts(doc: ParsedDocument, front: str, meta: str = "", meta_date: str | None = None) -> None:
    """Set organisation, year, language and licence from front-matter text where not set yet."""
    doc.organisation = doc.organisation or detect_organisation(front, meta)
    doc.year = doc.year or detect_year(front.split("\f"), meta_date)
    doc.language = doc.language or detect_language("\n".join(doc.page_texts) or front)
    doc.licence = doc.licence or detect_licence(meta + "\n" + front)
    doc.edition = doc.edition or detect_edition(front)


def detect_pdf_metadata(doc: ParsedDocument, reader) -> None:
    """Fill a parsed PDF's metadata from the document info dictionary and its first pages."""
    info = _info(reader)
    meta = "\n".join(info.get(k, "") for k in ("/Author", "/Title", "/Subject", "/Keywords"))
    doc.title = reading_case(good_title(info.get("/Title")) or "") or _biggest_line(reader, doc)
    front = "\f".join(doc.page_texts[:FRONT_PAGES])
    fill_text_facts(doc, front, meta, info.get("/CreationDate") or info.get("/ModDate"))


def _info(reader) -> dict[str, str]:
    """The /Info dictionary as plain strings; broken metadata counts as none."""
    try:
        return {str(k): str(v) for k, v in (reader.metadata or {}).items()}
    except Exception:  # undecodable or broken /Info: titles then come from the text
        return {}


def _biggest_line(reader, doc: ParsedDocument) -> str | None:
    """The text set in the largest font on the first page with text (the cover title)."""
    index = next((i for i, t in enumerate(doc.page_texts) if len(t.strip()) >= 20), None)
    if index is None:
        return None
    parts: list[tuple[float, str]] = []

    def visit(text, cm, tm, font, size):
        scale = abs(tm[3] or tm[0] or 1) * abs(cm[3] or cm[0] or 1)
        if text.strip():
            parts.append((round(size * scale, 1), text.strip()))

    try:
        reader.pages[index].extract_text(visitor_text=visit)
    except Exception:  # the title is a nicety; the text itself was read already
        parts = []
    if not parts:
        return _first_line(doc.page_texts[index])
    return cover_title(parts)


COVER_TITLE_WORDS = 2  # a one-word display line ("IMCI") takes the line set below it ("HANDBOOK")
COVER_TITLE_SIZE = 0.2  # ... down to this share of the largest size, never the small print


def cover_title(parts: list[tuple[float, str]]) -> str | None:
    """A cover's title from its (font size, text) runs: the largest size, and the next sizes while it is
    shorter than COVER_TITLE_WORDS, in reading order; set in sentence case when it is all capitals."""
    sizes = sorted({size for size, _ in parts}, reverse=True)
    chosen: set[float] = set()
    for size in sizes:
        if chosen and (size < sizes[0] * COVER_TITLE_SIZE
                       or sum(len(t.split()) for z, t in parts if z in chosen) >= COVER_TITLE_WORDS):
            break
        chosen.add(size)
    title = re.sub(r"\s+", " ", " ".join(text for size, text in parts if size in chosen)).strip()[:200]
    return reading_case(title) or None


def reading_case(title: str) -> str:
    """'STANDARD TREATMENT MANUAL FOR CHILDREN' -> 'Standard treatment manual for children'; 'IMCI HANDBOOK' ->
    'IMCI handbook' (a capitalised word of five letters or more is a word, shorter ones may be acronyms);
    a title starting in lower case gets a capital."""
    if not title:
        return title
    letters = [c for c in title if c.isalpha()]
    shouting = bool(letters) and all(c.isupper() for c in letters)
    title = re.sub(r"\b[A-Z]{5,}\b", lambda m: m.group(0).lower(), title)
    if shouting:  # the little words of an all-capitals title are words too
        title = re.sub(r"\b(?:A|AN|AND|AT|BY|FOR|IN|OF|ON|OR|THE|TO|WITH)\b", lambda m: m.group(0).lower(), title)
    return title[0].upper() + title[1:]


def _first_line(text: str) -> str | None:
    """The first line with some letters in it."""
    return next((line.strip() for line in text.split("\n") if len(re.findall(r"[A-Za-z]", line)) >= 3), None)
