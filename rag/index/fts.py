"""What the FTS5 table indexes for a chunk, and how a question becomes an FTS5 query.

Ingest and retrieval must agree on both, so they live here, in one place.
"""

from __future__ import annotations

import re
import unicodedata

# unicode61 splits on '/', '<' and '.', so "mg/kg" or "<20" would vanish as units; the
# index text adds joined forms ("mgkg", "lt20") next to the original words.
FTS_TOKENIZE = "unicode61 remove_diacritics 2"
LEXICAL_VERSION = 1

_UNIT = re.compile(r"(?<![\w/])(\w+)/(\w+)(?:/(\w+))?")
_COMPARE = re.compile(r"([<>≤≥]=?)\s?(\d+(?:[.,]\d+)?)")
_COMPARE_WORDS = {"<": "lt", ">": "gt", "≤": "le", "≥": "ge", "<=": "le", ">=": "ge"}


def _extra_tokens(text: str) -> list[str]:
    extra = ["".join(p for p in m.groups() if p) for m in _UNIT.finditer(text)]
    extra += [_COMPARE_WORDS.get(op, "cmp") + num.replace(",", ".").replace(".", "_") for op, num in _COMPARE.findall(text)]
    return extra


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text)


def index_text(header: str, text: str) -> str:
    """The text the FTS5 table indexes for one chunk: header, text and unit tokens."""
    body = normalize(f"{header}\n{text}")
    extra = _extra_tokens(body)
    return f"{body}\n{' '.join(extra)}" if extra else body


_WORD = re.compile(r"\w+", re.UNICODE)


def query_terms(question: str) -> list[str]:
    """The terms of a question as FTS5 sees them, unit tokens included."""
    text = normalize(question)
    return [w.lower() for w in _WORD.findall(text)] + [t.lower() for t in _extra_tokens(text)]


_SUFFIXES = ("ations", "ation", "ings", "ing", "ives", "ive", "ions", "ion", "ies", "es", "ed", "s")


def stem(term: str) -> str:
    """A crude English stem for prefix matching: 'preventive' -> 'prevent', 'months' -> 'month'."""
    if len(term) < 5 or not term.isalpha():
        return term
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= 4:
            return term[: -len(suffix)]
    return term


def _is_number(term: str) -> bool:
    return term.replace(".", "").replace(",", "").isdigit()


def query_phrases(question: str, stopwords: frozenset[str] = frozenset(), prefix: bool = False,
                  numbers: bool = True) -> list[tuple[str, bool]]:
    """The (term, is_prefix) phrases an OR query of the question searches for; see `fts_query`."""
    terms = [t for t in dict.fromkeys(query_terms(question)) if t not in stopwords and len(t) > 1 or t.isdigit()]
    if not numbers:
        terms = [t for t in terms if not _is_number(t)]
    if not prefix:
        return [(t, False) for t in terms]
    return [(t, len(t) >= 4 and t.isalpha()) for t in dict.fromkeys(stem(t) for t in terms)]


def fts_query(question: str, stopwords: frozenset[str] = frozenset(), prefix: bool = False,
              numbers: bool = True) -> str | None:
    """An OR query of the question's terms, each quoted so FTS5 syntax in user text is inert.

    `prefix` matches word forms by stem ('prevent' * finds prevention, preventive) without a
    stemming tokenizer at ingest; `numbers=False` drops bare numbers, which match everywhere in
    guidelines (doses, pages, tables), while unit tokens ('lt20', 'mgkg') stay.
    """
    return phrases_to_fts(query_phrases(question, stopwords, prefix, numbers))


def phrases_to_fts(phrases: list[tuple[str, bool]]) -> str | None:
    """The FTS5 MATCH string for (term, is_prefix) phrases, or None when there are none."""
    if not phrases:
        return None
    return " OR ".join(f'"{t}" *' if is_prefix else f'"{t}"' for t, is_prefix in phrases)


