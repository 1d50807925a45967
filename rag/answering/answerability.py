"""Features of answerability: does a retrieved passage state the kind of fact the question asks for?

Topic signals (a high cosine, the question's words present) do not separate a near miss from an
answerable question: "rotavirus vaccine schedule" finds passages about rotavirus. So beside the
retrieval scores these features look at what the question asks for (a dose, a duration, a threshold)
and whether a top passage states that kind of fact next to the question's rarest words, and whether
the rare words meet in one passage rather than being scattered over several.

Every feature is a float in a fixed, documented range so a linear model over them stays readable;
`FEATURES` is the order the abstention model's coefficients follow.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable

from rag.text.words import content_words
from rag.types import Passage

TOP = 3  # passages a fact must appear in
RARE_SHARE = 0.02  # a word in fewer than this share of chunks is rare (a name, not a topic word)
NEAR_CHARS = 160  # how close to a rare word a stated fact must be

FEATURES = ("dense_top", "dense_margin", "coverage", "rare_coverage", "rare_in_one", "absent_share", "unknown_terms",
            "both_legs", "asks_dose", "dose_near", "asks_duration", "duration_near", "asks_threshold",
            "threshold_near", "regimen_near")

_DOSE_Q = re.compile(r"\b(dose|doses|dosage|dosing|how much|how many (?:mg|ml|tablets?)|mg|ml|posolog\w*|dosis|"
                     r"quantos?|combien|cu[aá]nto|regimen|r[ée]gime)\b", re.I)
_DURATION_Q = re.compile(r"\b(how long|duration|for how many|days?|weeks?|months?|dur[ée]e|duraci[oó]n|dura[çc][aã]o|"
                         r"combien de temps|cu[aá]nto tiempo|quanto tempo|until when|when (?:to|can|should) stop)\b", re.I)
_THRESHOLD_Q = re.compile(r"\b(threshold|cut-?off|level|above|below|at what|how high|how low|criteria|criterion|"
                          r"seuil|umbral|limiar|value|count|rate)\b", re.I)
_UNIT = r"(?:mg|g|µg|mcg|microgram\w*|ml|mL|l|IU|UI|units?|mmol|mEq|tab\w*|caps\w*|drops?|sachets?|puffs?)"
_DOSE = re.compile(rf"\d+(?:[.,]\d+)?\s*(?:to|-|–)?\s*\d*(?:[.,]\d+)?\s*{_UNIT}(?:\s*/\s*(?:kg|m2|m²|day|dose))?\b", re.I)
# A dosing instruction, not a strength on a list: an amount with how often or how long ("30 mg capsule" is not one).
_REGIMEN = re.compile(rf"\d+(?:[.,]\d+)?\s*{_UNIT}(?:\s*/\s*(?:kg|m2|m²))?[^.;\n]{{0,60}}?"
                      r"(?:daily|/\s*day|per day|a day|times|every|once|twice|hourly|/\s*24\s*h|for \d+|\bq\d+h|x\s*\d)", re.I)
_DURATION = re.compile(r"\d+\s*(?:to|-|–)?\s*\d*\s*(?:days?|weeks?|months?|hours?|h)\b|\b(?:single dose|once)\b", re.I)
_THRESHOLD = re.compile(r"(?:[<>≤≥]=?|at least|more than|less than|above|below|over|under)\s*\d|"
                        r"\d+(?:[.,]\d+)?\s*(?:mmol/l|mg/dl|g/dl|%|/min|breaths|beats|°c|mmhg|cells)", re.I)


def _idf(df: int, n_chunks: int) -> float:
    return math.log((n_chunks + 1) / (df + 1)) + 1.0


def _words(question: str) -> set[str]:
    return {w for w in content_words(question) if not w.replace(".", "").isdigit()}


def rare_words(question: str, df: Callable[[str], int] | None, n_chunks: int) -> set[str]:
    """The question's content words that few chunks (or none) contain: names of drugs, tests, conditions."""
    words = _words(question)
    if df is None or not n_chunks:
        return words
    return {w for w in words if df(w) < RARE_SHARE * n_chunks}


def absent_share(question: str, df: Callable[[str], int] | None) -> float:
    """Share of the question's longer words that no chunk holds: what it asks about may be missing from the
    corpus, whatever the cosine says."""
    words = [w for w in _words(question) if len(w) > 3]
    if df is None or not words:
        return 0.0
    return sum(df(w) == 0 for w in words) / len(words)


def _near(text: str, words: set[str], fact: re.Pattern) -> bool:
    """Whether `fact` occurs within NEAR_CHARS of one of `words` in `text` (any word when `words` is empty)."""
    low = text.lower()
    spots = [m.start() for w in words for m in re.finditer(rf"\b{re.escape(w)}", low)] if words else [0]
    if not spots:
        return False
    for m in fact.finditer(text):
        if not words or any(abs(m.start() - s) <= NEAR_CHARS for s in spots):
            return True
    return False


def features(question: str, passages: list[Passage], df: Callable[[str], int] | None, n_chunks: int,
             unknown: int = 0, coverage: float = 0.0) -> dict[str, float]:
    """Answerability features of one question over its retrieved passages (best first)."""
    top = passages[:TOP]
    dense = sorted((p.scores.get("dense", 0.0) for p in passages if "dense" in (p.scores or {})), reverse=True)
    dense_top = dense[0] if dense else 0.0
    rare = rare_words(question, df, n_chunks)
    texts = [f"{p.section}\n{p.text}".lower() for p in top]
    in_text = lambda w, t: re.search(rf"\b{re.escape(w)}", t) is not None  # noqa: E731
    if rare:
        seen = {w for w in rare if any(in_text(w, t) for t in texts)}
        rare_coverage = len(seen) / len(rare)
        rare_in_one = max((sum(in_text(w, t) for w in rare) / len(rare) for t in texts), default=0.0)
    else:
        rare_coverage = rare_in_one = 1.0
    out = {
        "dense_top": dense_top,
        "dense_margin": dense_top - (sum(dense[1:5]) / len(dense[1:5]) if len(dense) > 1 else dense_top),
        "coverage": coverage,
        "rare_coverage": rare_coverage,
        "rare_in_one": rare_in_one,
        "absent_share": absent_share(question, df),
        "unknown_terms": float(min(unknown, 3)),
        "both_legs": sum("dense" in p.scores and "lexical" in p.scores for p in top) / TOP if top else 0.0,
    }
    raw = [f"{p.section}\n{p.text}" for p in top]
    for name, asks, fact in (("dose", _DOSE_Q, _DOSE), ("duration", _DURATION_Q, _DURATION),
                             ("threshold", _THRESHOLD_Q, _THRESHOLD)):
        asked = bool(asks.search(question))
        out[f"asks_{name}"] = float(asked)
        # Only meaningful when asked: "asked for a dose and none is stated next to the named thing".
        out[f"{name}_near"] = float(any(_near(t, rare, fact) for t in raw)) if asked else 0.0
    out["regimen_near"] = float(any(_near(t, rare, _REGIMEN) for t in raw)) if out["asks_dose"] else 0.0
    return out
