"""Cross-lingual queries: a French or Spanish question gains English words from a clinical glossary.

The corpus is English and the default embedder (all-MiniLM-L6-v2) is English-only. Drug names are
mostly the same across these languages (lexical search finds them as they are); the glossary supplies
the general clinical words around them (child, oxygen, breathing rate, days, ...). It is a general
list of common clinical vocabulary, not fitted to any question set.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.text.glossary import GLOSSARY_ES, GLOSSARY_FR
from rag.text.language import detect_language
from rag.text.stopwords import LANGUAGE_MARKERS
from rag.text.words import fold


@dataclass(frozen=True)
class Query:
    """The text each retriever sees; equal to the question when no translation applies."""

    dense: str
    lexical: str
    language: str = "en"


def _translate(question: str, glossary: dict[str, str], markers: frozenset[str]) -> tuple[list[str], list[str]]:
    """English words for the glossary's phrases in the question (longest first), and the words left over."""
    text = " " + " ".join(fold(w).casefold() for w in re.findall(r"[\w']+", question.replace("’", "'"))) + " "
    text = re.sub(r"\b[ldjqnsc]'", " ", text)  # French elisions: l'enfant -> enfant
    out = []
    for phrase in sorted(glossary, key=lambda p: -len(p)):
        key = f" {phrase} "
        if key in text:
            out.append(glossary[phrase])
            text = text.replace(key, " ")
    # Left-over content words are mostly drug names, units and numbers: the same in English.
    rest = [w for w in text.split() if w not in markers and (len(w) > 2 or w.isdigit())]
    return out, rest


def translate_query(question: str, method: str = "glossary") -> Query:
    """The texts to search with: the question, plus English glossary words for fr/es questions."""
    if method == "none":
        return Query(question, question)
    language = detect_language(question)
    if language == "en":
        return Query(question, question)
    # Portuguese has no glossary of its own: Spanish, the nearest, shares much of its clinical vocabulary.
    glossary = GLOSSARY_FR if language == "fr" else GLOSSARY_ES
    markers = LANGUAGE_MARKERS[language] | (LANGUAGE_MARKERS["es"] if language == "pt" else frozenset())
    english, rest = _translate(question, glossary, markers)
    if not english:
        return Query(question, question, language)
    # Dense: English words plus the untranslated rest embed closer to English pages than the
    # original does. Lexical: the English words only (French/Spanish words match nothing useful
    # in an English corpus but common ones add BM25 noise), plus the rest (drug names, numbers).
    text = " ".join(english + rest)
    return Query(dense=text, lexical=text, language=language)
