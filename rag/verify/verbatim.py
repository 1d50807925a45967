"""Is an answer claim a whole, verbatim quote of its cited passage?

The rule verifier checks a claim against one sentence or table row of the passage. An extractive
answer quotes longer stretches (a recommendation with its list, a table window), so its best single
span holds only part of the quote, and another row's number reads as a contradiction ("the guideline
says 400 mg, the claim says 300 mg" about a quote holding both). A quote that is the passage's own
text says what the passage says, provided it is not a fragment cut from inside a sentence: "give
aspirin to children" cut from "Never give aspirin to children" is no quote. So the match must start
and end where the source's own statement does.
"""

from __future__ import annotations

import re

from rag.verify.lexicon import NEGATIONS, RESTRICTIONS

MIN_WORDS = 3  # a shorter match ("Chronic phase") is a heading or a cell, left to the rules
_OPENS = ".;:!?)]|•·–—-*"  # what may stand right before a quote's first word
_CLOSES = ".;:,!?)]|"  # what may stand right after its last word
# A line break inside a sentence ends with one of these: the next line continues it.
_CARRY = {*NEGATIONS, *(r.split()[0] for r in RESTRICTIONS), "do", "does", "should", "must", "may", "and", "or",
          "to", "of", "the", "a", "an", "for", "with", "in", "if", "than", "unless", "except"}
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.;:!?]\s")


def _pattern(claim: str) -> re.Pattern | None:
    words = _WORD.findall(claim)
    if len(words) < MIN_WORDS:
        return None
    return re.compile(r"\s+".join(re.escape(w) for w in words))


def _opens(text: str, start: int) -> bool:
    if start and not (text[start - 1].isspace() or text[start - 1] in "|•*"):
        return False  # inside a word ("anti-malarial")
    before = text[:start]
    stripped = before.rstrip()
    if not stripped:
        return True
    if stripped[-1] in _OPENS:
        return True
    if "\n" in before[len(stripped):]:  # the quote starts a line: a new statement unless the sentence runs on
        last = stripped.split()[-1].lower().strip(",")
        tail = _SENTENCE_END.split(stripped)[-1].lower()  # the sentence so far, before the quote
        cue = any(re.search(rf"(?<!\w){re.escape(c)}(?!\w)", tail) for c in (*NEGATIONS, *RESTRICTIONS))
        return last not in _CARRY and not last.endswith("n't") and not cue
    return False


def _closes(text: str, end: int, quote: str) -> bool:
    if end < len(text) and not (text[end].isspace() or text[end] in _CLOSES):
        return False  # inside a word or a number ("10" of "100 mg")
    after = text[end:]
    stripped = after.lstrip()
    if not stripped or quote[-1] in _CLOSES or stripped[0] in _CLOSES:
        return True
    if "\n" in after[: len(after) - len(stripped)]:  # the next line starts a new statement, not "under 5 years"
        return not stripped[0].islower()
    return False


def whole_quote(claim: str, text: str) -> str | None:
    """The passage's own text of `claim` (whitespace may differ) when it is a whole statement there, else None."""
    pattern = _pattern(claim.strip())
    if pattern is None:
        return None
    for m in pattern.finditer(text):
        if _opens(text, m.start()) and _closes(text, m.end(), m.group()):
            return m.group()
    return None
