"""After generation: parse [n] markers, map them to the given passages, check support, quote.

A claim is the text of one answer line up to a citation marker. Its support by a passage is
the weighted share of its content words (numbers count three times: a wrong dose must not pass)
found in the passage. The quote is the passage sentence that overlaps the claim most, cut
verbatim from the passage text, so anyone can find it on the cited page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag.types import AnswerSentence, Citation
from rag.types import Passage

_MARKER = re.compile(r"\s*\[(\d+(?:\s*[,;–-]\s*\d+)*)\]")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+", re.UNICODE)
# Sentence ends: . ! ? ; followed by space and a capital/digit/bullet, or a blank line / bullet line.
_SENT_END = re.compile(r"(?<=[.!?;:])\s+(?=[\"'(\[]?[A-Z0-9•▪–-])|\n\s*\n|\n(?=\s*[•▪●◦\-–*]\s)|\n(?=\s*\d+[.)]\s)")

MAX_JOINED_QUOTE = 600  # characters; a longer span would hide the supporting words
_ABBREV = re.compile(r"(?:\b(?:e\.g|i\.e|approx|incl|max|min|Dr|No|vs|cf|Fig|Tab|resp)\.)$", re.IGNORECASE)

STOPWORDS = frozenset("""
a an and are as at be been being but by can could did do does doing for from had has have how i if in into
is it its may me might must my no not of on or our should so such than that the their them then there these
they this those to up us was we were what when where which while who whom why will with would you your
about above after again all also am any because before below between both during each few further here
more most nor off once only other out over own same some too under until very just give given use used using
per s t de la le les des du un une et en est pour que qui dans avec sur au aux ce cette quel quelle quels
quelles comment il elle on ou par pas se sont el los las del y un una para con por que es se al lo como cual
cuál qué cómo cuando cuándo debe doit faut hay
""".split())


def content_words(text: str) -> list[str]:
    """Lower-cased content words and numbers, with a light plural strip so 'doses' meets 'dose'."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in STOPWORDS or (len(tok) < 2 and not tok.isdigit()):
            continue
        if len(tok) > 4 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok.replace(",", "."))
    return out


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) offsets of the sentences of `text`, trimmed, so text[start:end] is verbatim."""
    spans, start = [], 0
    for m in _SENT_END.finditer(text):
        if _ABBREV.search(text, 0, m.start()):
            continue  # "e.g. AL" is one sentence
        spans.append((start, m.start()))
        start = m.end()
    spans.append((start, len(text)))
    out = []
    for s, e in _split_headings(text, spans):
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            out.append((s, e))
    return out


def _split_headings(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """A Markdown heading line is a span of its own, never glued to the sentence under it."""
    out = []
    for s, e in spans:
        while True:
            m = re.search(r"(?m)^[ \t]*#", text[s:e])
            if m is None:
                out.append((s, e))
                break
            head = s + m.start()
            nl = text.find("\n", head, e)
            if head > s:
                out.append((s, head))
            out.append((head, e if nl < 0 else nl))
            if nl < 0:
                break
            s = nl + 1
    return out


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


def _numbers(marker: str) -> list[int]:
    out: list[int] = []
    for part in re.split(r"\s*[,;]\s*", marker):
        bounds = re.split(r"\s*[–-]\s*", part)
        if len(bounds) == 2 and bounds[0].isdigit() and bounds[1].isdigit() and 0 < int(bounds[1]) - int(bounds[0]) < 20:
            out += list(range(int(bounds[0]), int(bounds[1]) + 1))
        elif part.strip().isdigit():
            out.append(int(part))
    return out


def _clean(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip(" -•*\t.;,:")


def parse_claims(answer: str) -> list[Claim]:
    """Split an answer into claims, each with the [n] numbers that close it."""
    claims: list[Claim] = []
    for line in answer.splitlines():
        pos = 0
        for m in _MARKER.finditer(line):
            text = _clean(line[pos:m.start()])
            nums = tuple(dict.fromkeys(_numbers(m.group(1))))
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


def check_answer(answer: str, passages: list[Passage], threshold: float) -> CheckedAnswer:
    """Map each claim's [n] to the given passages (1-based), score support, quote verbatim."""
    sentences, notices = [], []
    best: dict[int, float] = {}
    claims_of: dict[int, list[str]] = {}
    for claim in parse_claims(answer):
        valid = tuple(n for n in claim.numbers if 1 <= n <= len(passages))
        dropped = tuple(n for n in claim.numbers if n not in valid)
        if dropped:
            notices.append(f"dropped citation(s) {list(dropped)}: no such passage was given")
        scores = {n: support_score(claim.text, passages[n - 1].text) for n in valid}
        top = max(scores.values(), default=0.0)
        sentences.append(AnswerSentence(claim.text, valid, bool(valid) and top >= threshold, top, dropped))
        for n, score in scores.items():
            best[n] = max(score, best.get(n, 0.0))
            claims_of.setdefault(n, []).append(claim.text)
    citations = tuple(
        Citation(n, passages[n - 1], joined_quote(claims_of[n], passages[n - 1].text), best[n])
        for n in sorted(best)
    )
    unsupported = sum(1 for s in sentences if not s.supported)
    if unsupported:
        notices.append(f"{unsupported} of {len(sentences)} sentence(s) not supported by a cited passage")
    return CheckedAnswer(tuple(sentences), citations, tuple(notices))


def strip_unknown_markers(answer: str, n_passages: int) -> str:
    """The answer with citation numbers that point at no given passage removed from its markers."""

    def keep(m: re.Match) -> str:
        nums = [n for n in _numbers(m.group(1)) if 1 <= n <= n_passages]
        return (" " + "".join(f"[{n}]" for n in nums)) if nums else ""

    return _MARKER.sub(keep, answer)
