"""Lay-term and synonym expansion of a question from WordNet, for the lexical (BM25) leg only.

A caregiver writes "piles", "water pill" or "high blood pressure"; the guidelines say haemorrhoids,
diuretic, hypertension. WordNet puts each pair in one synset. For every content word of the question
(and every two- or three-word run, so "high blood pressure" is looked up whole) the lemmas of its
senses are candidates; only one-word lemmas that occur in the indexed corpus, and not in most of it,
are kept, and the retriever weights them below the question's own words. Restricting senses to
clinical lexicographer files (states, body, substances, artifacts, acts...) drops "fit" = tantrum's
neighbours of other domains without a hand list.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from rag.text.stopwords import CONTENT_STOPWORDS, QUERY_STOPWORDS
from rag.text.wordnet import CLINICAL_LEXFILES, WordNet

_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)
_STOP = CONTENT_STOPWORDS | QUERY_STOPWORDS
MAX_WORDS = 3  # longest run of question words looked up as one lemma ("high_blood_pressure")


@dataclass(frozen=True)
class Expansion:
    """A corpus word added to the lexical query, and the question's words it stands for."""

    term: str
    source: str


@dataclass(frozen=True)
class ExpansionRules:
    """Which senses and terms an expansion may use."""

    parts: str = "n"  # WordNet parts of speech looked up: n(oun), a(djective), v(erb)
    clinical_only: bool = True  # only senses from CLINICAL_LEXFILES
    max_senses: int = 0  # the first n senses of each lemma (0 = all)
    max_share: float = 0.05  # skip terms in more than this share of the corpus's chunks
    rare_sources: bool = False  # expand only question words in fewer than max_share of chunks
    max_terms: int = 12  # most terms added to one question


def expand(text: str, wordnet: WordNet, chunks_with: Callable[[str], int], total_chunks: int,
           rules: ExpansionRules = ExpansionRules()) -> list[Expansion]:
    """Synonyms of the question's words and word runs that the corpus holds, in question order."""
    words = [w.lower() for w in _WORD.findall(text)]
    own = set(words)
    limit = max(rules.max_share * total_chunks, 1.0)  # a tiny index: a word in one chunk is not common
    out: dict[str, Expansion] = {}
    for n in range(MAX_WORDS, 0, -1):
        for i in range(len(words) - n + 1):
            run = words[i: i + n]
            if run[0] in _STOP or run[-1] in _STOP or (n == 1 and len(run[0]) < 3):
                continue
            source = " ".join(run)
            if rules.rare_sources and n == 1 and chunks_with(run[0]) > limit:
                continue
            for term in _synonyms("_".join(run), wordnet, rules):
                if term in own or term in out or term in _STOP:
                    continue
                if 0 < chunks_with(term) <= limit:
                    out[term] = Expansion(term, source)
                    if len(out) >= rules.max_terms:
                        return list(out.values())
    return list(out.values())


def _synonyms(lemma: str, wordnet: WordNet, rules: ExpansionRules) -> list[str]:
    terms: list[str] = []
    for pos in rules.parts:
        for base in wordnet.base_forms(lemma, pos):
            senses = wordnet.synsets(base, pos)
            if rules.max_senses:
                senses = senses[: rules.max_senses]
            for synset in senses:
                if rules.clinical_only and pos == "n" and synset.lexfile not in CLINICAL_LEXFILES:
                    continue
                terms += [t for t in synset.lemmas if t != base and len(t) >= 4 and t.isalpha()]
    return list(dict.fromkeys(terms))
