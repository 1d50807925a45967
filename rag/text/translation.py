"""Cross-lingual queries: a French or Spanish question gains English words from a clinical glossary.

The corpus is English and the default embedder (all-MiniLM-L6-v2) is English-only. Drug names are
mostly the same across these languages (lexical search finds them as they are); the glossary supplies
the general clinical words around them (child, oxygen, breathing rate, days, ...). It is a general
list of common clinical vocabulary, not fitted to any question set.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rag.text.glossary import GLOSSARY_ES, GLOSSARY_FR

_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# Words that only French or only Spanish uses often; a handful is enough to tell a question's language.
_FR_MARKERS = frozenset("le la les des du un une est et pour avec dans quelle quel quels quelles faut il elle "
                        "qu que chez combien au aux ou donner faire peut doit jours enfant".split())
_ES_MARKERS = frozenset("el los las del una es y para con en cual cuál cuales qué que debe se puede hay "
                        "cuándo cuando cuánto cuantos días niño niña dar".split())


@dataclass(frozen=True)
class Query:
    """The text each retriever sees; equal to the question when no translation applies."""

    dense: str
    lexical: str
    language: str = "en"


def fold(text: str) -> str:
    """Lower case without accents, so 'fièvre', 'fievre' and 'Fièvre' look up alike."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")


def detect_language(question: str) -> str:
    """'fr', 'es' or 'en', from accents, punctuation and common function words."""
    words = [w.casefold() for w in _WORD.findall(question)]
    words = [w.split("'")[-1] if "'" in w else w for w in words]
    fr = sum(w in _FR_MARKERS for w in words) + 2 * len(re.findall(r"[èêàùâîôûç]|\b[ldjq]'|\bqu'", question.casefold()))
    es = sum(w in _ES_MARKERS for w in words) + 3 * len(re.findall(r"[¿¡ñ]|ción\b", question.casefold()))
    english = sum(w in ("the", "of", "and", "for", "what", "when", "how", "is", "a", "in", "with") for w in words)
    if max(fr, es) <= english or max(fr, es) < 2:
        return "en"
    return "fr" if fr >= es else "es"


def _translate(question: str, glossary: dict[str, str], markers: frozenset[str]) -> tuple[list[str], list[str]]:
    """English words for the glossary's phrases in the question (longest first), and the words left over."""
    text = " " + " ".join(fold(w) for w in re.findall(r"[\w']+", question.replace("’", "'"))) + " "
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
    glossary, markers = (GLOSSARY_FR, _FR_MARKERS) if language == "fr" else (GLOSSARY_ES, _ES_MARKERS)
    english, rest = _translate(question, glossary, markers)
    if not english:
        return Query(question, question, language)
    # Dense: English words plus the untranslated rest embed closer to English pages than the
    # original does. Lexical: the English words only (French/Spanish words match nothing useful
    # in an English corpus but common ones add BM25 noise), plus the rest (drug names, numbers).
    text = " ".join(english + rest)
    return Query(dense=text, lexical=text, language=language)
