"""Boost the documents a question names ("according to MSF", "in the WHO pocket book", "Uganda protocol").

Clinicians often say whose guidance they want; when several guidelines disagree, the gold answer
is the one named. A document is named when the question holds, outside its first word, a proper
noun or acronym (a capitalised word: "MSF", "IMCI", "Uganda") that is also a word of the
document's name (title, file path, organisation and its full name), or when the question has a
document word ("book", "list", "manual"...) and two consecutive content words of only that
document's name ("pocket book", "essential medicines"). Naming the organisation alone is a weaker
signal (one organisation publishes many documents), so it gets half the boost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.stopwords import NAME_STOPWORDS
from rag.text.words import fold

# Acronyms (matched as capitalised words) and long names (matched anywhere), English/French/Spanish.
ORG_ALIASES = {
    "WHO": ("WHO", "OMS", "World Health Organization", "World Health Organisation",
            "Organisation mondiale de la Sante", "Organizacion Mundial de la Salud"),
    "MSF": ("MSF", "Medecins Sans Frontieres", "Doctors Without Borders", "Medicos Sin Fronteras"),
}
DOC_WORDS = {"book", "booklet", "list", "manual", "guide", "guideline", "guidelines", "handbook", "protocol",
             "protocols", "formulary", "chart", "edition", "according", "per"}
_TOKEN = re.compile(r"[^\W_]+", re.UNICODE)


def _words(text: str) -> list[str]:
    return [w.casefold() for w in _TOKEN.findall(fold(text))]


def _content(words: list[str]) -> list[str]:
    return [w for w in words if w not in NAME_STOPWORDS and not w.isdigit()]


@dataclass(frozen=True)
class DocumentName:
    """The words a question may use to name one document."""

    doc_id: str
    organisation: str | None
    words: frozenset[str]  # words of title and path that are not the organisation's own
    pairs: frozenset[tuple[str, str]]  # consecutive content words of title and path no other document has


def _alias_words(org: str | None) -> set[str]:
    return {w for a in ORG_ALIASES.get(org or "", ()) for w in _words(a)}


def document_names(documents) -> list[DocumentName]:
    """Name words and distinctive word pairs of each document (DocumentMeta objects)."""
    raw = []
    for d in documents:
        words: set[str] = set()
        pairs: set[tuple[str, str]] = set()
        for part in (d.title or "", re.sub(r"[_/.\-]+", " ", d.source)):
            w = _words(part)
            words.update(w)
            c = _content(w)
            pairs.update(zip(c, c[1:]))
        raw.append((d, words - _alias_words(d.organisation), pairs))
    count: dict[tuple[str, str], int] = {}
    for _, _, pairs in raw:
        for pair in pairs:
            count[pair] = count.get(pair, 0) + 1
    return [DocumentName(d.doc_id, d.organisation, frozenset(words), frozenset(p for p in pairs if count[p] == 1))
            for d, words, pairs in raw]


def _proper_nouns(question: str) -> set[str]:
    """Capitalised words after the first word (acronyms anywhere), case-folded."""
    found = set()
    for n, m in enumerate(_TOKEN.finditer(fold(question))):
        word = m.group()
        if len(word) >= 2 and word[0].isupper() and (n > 0 or word.isupper()):
            found.add(word.casefold())
    return found


_ORG_ACRONYMS = {org: {a.casefold() for a in aliases if a.isupper()} for org, aliases in ORG_ALIASES.items()}
_ORG_PHRASES = {org: [f" {' '.join(_words(a))} " for a in aliases if not a.isupper()] for org, aliases in ORG_ALIASES.items()}


def _named_orgs(question: str, proper: set[str]) -> set[str]:
    folded = f" {' '.join(_words(question))} "
    return {org for org in ORG_ALIASES
            if proper & _ORG_ACRONYMS[org] or any(phrase in folded for phrase in _ORG_PHRASES[org])}


def named_documents(question: str, names: list[DocumentName]) -> dict[str, float]:
    """doc_id -> 1.0 for documents the question names, 0.5 for those of an organisation it names."""
    proper = _proper_nouns(question)
    all_words = _words(question)
    words = _content(all_words)
    pairs = set(zip(words, words[1:])) if DOC_WORDS & set(all_words) else set()
    orgs = _named_orgs(question, proper)
    out: dict[str, float] = {}
    for name in names:
        if proper & name.words or pairs & name.pairs:
            out[name.doc_id] = 1.0
        elif name.organisation in orgs:
            out[name.doc_id] = 0.5
    return out


def boost(fused: list[tuple[int, float]], reader, question: str, strength: float) -> list[tuple[int, float]]:
    """Fused (row id, score) with the named documents' scores raised by `strength` (x(1+strength)), re-sorted."""
    if strength <= 0 or not fused:
        return fused
    names = reader.derived("source_boost.names", lambda r: document_names(r.documents.values()))
    named = named_documents(question, names)
    if not named:
        return fused
    table, doc_ids = reader.derived("source_boost.row_documents", lambda r: r.row_documents())
    factor = {n: 1.0 + strength * named.get(d, 0.0) for n, d in enumerate(doc_ids)}
    out = [(i, s * factor.get(int(table[i]) if i < len(table) else -1, 1.0)) for i, s in fused]
    return sorted(out, key=lambda item: -item[1])
