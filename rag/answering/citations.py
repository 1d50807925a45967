"""After generation: parse [n] markers, map them to the given passages, verify each claim, quote.

A claim is the text of one answer line up to a citation marker. The claim verifier (rag.verify)
decides whether its cited passages support it: one sentence or table row must hold it with the
same numbers and units, negation, drug, route and population. A claim citing nothing is checked
against all given passages, so a contradiction is caught, but it is not `supported` (nothing cited).
`support` stays the lexical score it always was: the weighted share of the claim's content words
(numbers count three times) found in the passage. The citation's quote is the claim itself or the passage
sentence that overlaps the claim most, verbatim (the verifier's evidence span, which for a table row
carries its header lines, travels with the sentence).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.text.sentences import sentence_spans
from rag.text.words import content_words
from rag.types import AnswerSentence, Citation, Passage
from rag.verify.claims import marker_numbers
from rag.verify.verdict import SUPPORTED
from rag.verify.verifier import Verified, verify_against

if TYPE_CHECKING:
    from rag.verify.judge import Judge

_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_TRAILING = re.compile(r"\s\[(\d+(?:\s*[,;–-]\s*\d+)*)\]\s*$")

MAX_JOINED_QUOTE = 600  # characters; a longer span would hide the supporting words


def support_score(claim: str, passage_text: str) -> float:
    """Weighted share of the claim's content words found in the passage (numbers weigh 3)."""
    words = content_words(claim)
    if not words:
        return 0.0
    have = set(content_words(passage_text))
    weight = lambda w: 3.0 if w[0].isdigit() else 1.0  # noqa: E731
    total = sum(weight(w) for w in words)
    return sum(weight(w) for w in words if w in have) / total


def verbatim_span(claim: str, passage_text: str) -> tuple[int, int] | None:
    """Offsets of the claim in the passage when it is copied from it (whitespace may differ)."""
    parts = claim.split()
    if len(parts) < 3:
        return None
    m = re.search(r"\s+".join(map(re.escape, parts)), passage_text)
    return (m.start(), m.end()) if m else None


def quote_span(claim: str, passage_text: str) -> tuple[int, int]:
    """Offsets of the claim itself when copied verbatim (an extractive line, part of a table),
    else of the passage sentence sharing most content words with the claim."""
    exact = verbatim_span(claim, passage_text)
    if exact is not None:
        return exact
    words = set(content_words(claim))
    best, best_score = None, -1.0
    for s, e in sentence_spans(passage_text):
        sent_words = set(content_words(passage_text[s:e]))
        if not sent_words:
            continue
        score = len(words & sent_words) / (len(words) or 1) + 0.01 * len(words & sent_words) / len(sent_words)
        if score > best_score:
            best, best_score = (s, e), score
    return best or (0, min(len(passage_text), 300))


def best_quote(claim: str, passage_text: str) -> str:
    """The passage sentence sharing most content words with the claim, verbatim."""
    s, e = quote_span(claim, passage_text)
    return passage_text[s:e]


def joined_quote(claims: list[str], passage_text: str) -> str:
    """One verbatim quote for several claims citing one passage: the span from the first
    supporting sentence to the last when it is short, else the first claim's sentence."""
    spans = [quote_span(c, passage_text) for c in claims]
    start, end = min(s for s, _ in spans), max(e for _, e in spans)
    if end - start <= MAX_JOINED_QUOTE:
        return passage_text[start:end]
    return passage_text[spans[0][0]:spans[0][1]]


@dataclass(frozen=True)
class Claim:
    text: str
    numbers: tuple[int, ...]


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" -•*\t.;,:")


def parse_trailing_claims(answer: str) -> list[Claim]:
    """One claim per line, cited by the one marker that ends the line (an extractive answer: any `[2]`
    inside the quoted text is the source's footnote, never a citation of ours)."""
    claims = []
    for line in answer.splitlines():
        m = _TRAILING.search(line)
        text = _clean(line[:m.start()] if m else line)
        nums = tuple(dict.fromkeys(marker_numbers(m.group(1)))) if m else ()
        if text and (nums or content_words(text)):
            claims.append(Claim(text, nums))
    return claims


def parse_claims(answer: str, trailing_only: bool = False) -> list[Claim]:
    """Split an answer into claims, each with the [n] numbers that close it; with `trailing_only`,
    one claim per line and only the line's last marker counts (`parse_trailing_claims`)."""
    if trailing_only:
        return parse_trailing_claims(answer)
    claims: list[Claim] = []
    for line in answer.splitlines():
        pos = 0
        for m in _MARKER.finditer(line):
            text = _clean(line[pos:m.start()])
            nums = tuple(dict.fromkeys(marker_numbers(m.group(1))))
            if text and text not in ".;,":
                claims.append(Claim(text, nums))
            elif claims and nums:  # "[1][2]": a second marker right after the first
                last = claims[-1]
                claims[-1] = Claim(last.text, tuple(dict.fromkeys(last.numbers + nums)))
            pos = m.end()
        rest = _clean(line[pos:])
        if content_words(rest):
            claims.append(Claim(rest, ()))
    return claims


@dataclass(frozen=True)
class CheckedAnswer:
    sentences: tuple[AnswerSentence, ...]
    citations: tuple[Citation, ...]
    notices: tuple[str, ...]


def verify_claim(text: str, cited: tuple[int, ...], passages: list[Passage], judge: Judge | None = None) -> Verified:
    """The verdict of one answer claim: against its cited passages, or all given ones when it cites none;
    `judge` (an LLM, when configured) decides what the rules leave undecided."""
    if not cited:
        return verify_against(text, passages, judge)
    # A whole verbatim quote of a cited passage is supported there: verify_against tries that first.
    verified = verify_against(text, [passages[n - 1] for n in cited], judge)
    if verified.verdict == SUPPORTED:
        return verified
    elsewhere = verify_against(text, [p for i, p in enumerate(passages, 1) if i not in cited])
    if elsewhere.verdict == SUPPORTED:
        n = next(i for i, p in enumerate(passages, 1) if p.chunk_id == elsewhere.evidence[0].passage.chunk_id)
        return Verified(text, verified.verdict, f"{verified.reason}; passage [{n}] supports it, the answer cites "
                        f"{''.join(f'[{c}]' for c in cited)}", verified.evidence, verified.coverage, verified.rule)
    return verified


def check_answer(answer: str, passages: list[Passage], threshold: float, trailing_only: bool = False,
                 judge: Judge | None = None) -> CheckedAnswer:
    """Map each claim's [n] to the given passages (1-based), verify it, score lexical support, quote verbatim.

    `threshold` is kept for callers; a sentence is supported by the verifier's verdict, not by the score.
    `trailing_only`: an extractive answer, whose lines are cited by their last marker only."""
    sentences, notices = [], []
    best: dict[int, float] = {}
    claims_of: dict[int, list[str]] = {}
    for claim in parse_claims(answer, trailing_only):
        valid = tuple(n for n in claim.numbers if 1 <= n <= len(passages))
        dropped = tuple(n for n in claim.numbers if n not in valid)
        if dropped:
            notices.append(f"dropped citation(s) {list(dropped)}: no such passage was given")
        scores = {n: support_score(claim.text, passages[n - 1].text) for n in valid}
        top = max(scores.values(), default=0.0)
        verified = verify_claim(claim.text, valid, passages, judge)
        supported = bool(valid) and verified.verdict == SUPPORTED
        sentences.append(AnswerSentence(claim.text, valid, supported, top, dropped, verified.verdict if valid or
                                        verified.verdict != SUPPORTED else "unsupported",
                                        verified.reason if valid or verified.verdict != SUPPORTED
                                        else f"cites no passage ({verified.reason})", verified.evidence))
        for n, score in scores.items():
            best[n] = max(score, best.get(n, 0.0))
            claims_of.setdefault(n, []).append(claim.text)
    citations = tuple(
        Citation(n, passages[n - 1], joined_quote(claims_of[n], passages[n - 1].text), best[n])
        for n in sorted(best)
    )
    contradicted = sum(1 for s in sentences if s.verdict == "contradicted")
    unsupported = sum(1 for s in sentences if not s.supported)
    if contradicted:
        notices.append(f"{contradicted} of {len(sentences)} sentence(s) contradicted by the guideline")
    if unsupported:
        notices.append(f"{unsupported} of {len(sentences)} sentence(s) not supported by a cited passage")
    return CheckedAnswer(tuple(sentences), citations, tuple(notices))


def strip_unknown_markers(answer: str, n_passages: int) -> str:
    """The answer with citation numbers that point at no given passage removed from its markers."""

    def keep(m: re.Match) -> str:
        nums = [n for n in marker_numbers(m.group(1)) if 1 <= n <= n_passages]
        return (" " + "".join(f"[{n}]" for n in nums)) if nums else ""

    return _MARKER.sub(keep, answer)
