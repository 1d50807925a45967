"""Cross-lingual queries: a French, Spanish or Portuguese question gains English words.

The corpus is English and the default embedder (all-MiniLM-L6-v2) is English-only. Drug names are
mostly the same across these languages (lexical search finds them as they are); the translation supplies
the words around them (child, fever, days, ...). Methods:
  "dictionary": Debian's FreeDict fra/spa/por-eng dictionaries (rag.text.bilingual), restricted to English
                words the indexed corpus holds when a `df` is given; the hand glossary when not installed.
  "glossary":   the hand-written fr/es glossary (rag.text.glossary); Portuguese borrows the Spanish one.
  "glossary+dictionary": the glossary's phrases first, the dictionary for the words it leaves.
  "none":       the question as it is.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.text import bilingual
from rag.text.glossary import GLOSSARY_ES, GLOSSARY_FR
from rag.text.language import detect_language
from rag.text.stopwords import LANGUAGE_MARKERS
from rag.text.words import fold

log = logging.getLogger(__name__)
_warned: set[str] = set()


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


def _dictionary(language: str) -> bilingual.Dictionary | None:
    table = bilingual.load_dictionary(language)
    if table is None and language not in _warned:
        _warned.add(language)
        log.warning("query_translation=dictionary: no FreeDict %s-English dictionary under %s; using the hand glossary "
                    "instead (install it: apt-get install -y %s)", language, bilingual.DICT_DIR, bilingual.APT_PACKAGES)
    return table


# A word one dictionary lacks is looked up in the nearest others (the dictionaries hold 4,000-10,000 words).
NEIGHBOURS = {"fr": ("es", "pt"), "es": ("pt", "fr"), "pt": ("es", "fr")}


def dictionary_query(question: str, language: str, df: Callable[[str], int] | None = None, neighbours: bool = True,
                     cognates: bool = True, per_entry: int = bilingual.PER_ENTRY, glossary: bool = False) -> Query | None:
    """The dictionary method's queries for a question in `language`; None when its dictionary is not installed.

    `glossary`: the hand glossary's phrases first, the dictionary for the words it leaves."""
    own = _dictionary(language)
    if own is None:
        return None
    tables = [own] + [t for lang in NEIGHBOURS[language] if neighbours and (t := bilingual.load_dictionary(lang))]
    first: list[str] = []
    if glossary:
        first, rest = _glossary_words(question, language)
        question_left = " ".join(rest)
    else:
        question_left = question
    english, rest = bilingual.english_words(question_left, language, tables, df, cognates=cognates, per_entry=per_entry)
    return _query(question, language, first + [w for w in english if w not in first], rest)


def _glossary_words(question: str, language: str) -> tuple[list[str], list[str]]:
    # Portuguese has no glossary of its own: Spanish, the nearest, shares much of its clinical vocabulary.
    glossary = GLOSSARY_FR if language == "fr" else GLOSSARY_ES
    markers = LANGUAGE_MARKERS[language] | (LANGUAGE_MARKERS["es"] if language == "pt" else frozenset())
    return _translate(question, glossary, markers)


def _query(question: str, language: str, english: list[str], rest: list[str]) -> Query:
    if not english:
        return Query(question, question, language)
    # Dense: English words plus the untranslated rest embed closer to English pages than the
    # original does. Lexical: the English words only (French/Spanish words match nothing useful
    # in an English corpus but common ones add BM25 noise), plus the rest (drug names, numbers).
    text = " ".join(english + rest)
    return Query(dense=text, lexical=text, language=language)


def translate_query(question: str, method: str = "glossary", df: Callable[[str], int] | None = None) -> Query:
    """The texts to search with: the question, plus English words for a fr/es/pt question.

    `df(word)` (chunks holding the word, e.g. `IndexReader.chunks_with_term`) restricts the dictionary
    method to English words the corpus has; without it each entry's first senses are used as they are."""
    if method == "none":
        return Query(question, question)
    language = detect_language(question)
    if language == "en":
        return Query(question, question)
    query = None
    if method in ("dictionary", "glossary+dictionary"):
        query = dictionary_query(question, language, df, glossary=method == "glossary+dictionary")
    if query is not None:
        return query
    english, rest = _glossary_words(question, language)
    return _query(question, language, english, rest)


def answerability_text(question: str, language: str, df: Callable[[str], int]) -> str | None:
    """The English words to judge a fr/es/pt question's answerability by (`bilingual.answerability_words`),
    whatever the retrieval's translation method; None when the language's FreeDict dictionary is not installed."""
    own = bilingual.load_dictionary(language)
    if own is None:
        return None
    tables = [own] + [t for lang in NEIGHBOURS[language] if (t := bilingual.load_dictionary(lang))]
    return bilingual.answerability_words(question, language, tables, df)
