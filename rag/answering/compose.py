"""Compose an extractive answer: candidate spans of the retrieved passages, filtered, scored, deduplicated.

A candidate is a sentence, a sentence that introduces a list together with all its items (up to
MAX_LIST characters), or the best window of lines of a long table run. Background and
document-history sentences ("this guideline was developed ...") and heading-only spans never
answer. A candidate scores by the question's content words it holds (rare words weigh more), a
little for the passage's rank, the cosine of its embedding with the question's (when an embedder
is given), and less when it is about another condition than the one the question names. The best
few are chosen greedily, skipping any whose content words are mostly in one already chosen.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np

from rag.text.sentences import sentence_spans
from rag.text.words import content_words
from rag.types import Passage

RANK_BONUS = 0.15  # the top passage's edge over a lower one with the same words
MIN_SHARE = 0.5  # a chosen candidate holds at least this share of the best candidate's score
MAX_QUOTE = 320  # characters; a longer run of lines (a table) is cut to its best window of lines
MAX_LIST = 600  # characters; a sentence introducing a list takes its items up to this length
NO_NUMBER = 0.6  # score factor for a candidate without a number when the question asks for a quantity
OTHER_CONDITION = 0.5  # score factor for a candidate about another condition than the question's
SUBJECT_WORDS = 5  # content words at a sentence's start that name what it is about
DUPLICATE = 0.8  # content-word containment at which a candidate repeats a chosen one
EMBED_WEIGHT = 0.3  # of the question-candidate cosine: on the tuning half 0.3 beat 0 (benchmarks/answers.py)
MAX_EMBED = 12  # candidates embedded per question, the best by words (40 took ~5 s a question on 2 busy cores)
EMBED_CHARS = 400  # of each candidate, embedded (the model reads ~256 word pieces anyway)
QUANTITY = frozenset("""dose dosage dosing much many long often duration threshold level strength target
cut rate amount volume concentration frequency interval mg ml kg""".split())

# Sentences about the document, not the patient: generic cues of any guideline's front matter.
_BACKGROUND = re.compile(
    r"\b(?:th(?:is|ese) guidelines?\b|th(?:is|ese) (?:document|publication|edition|manual|handbook|revision)s?\b"
    r"|(?:was|were|has been|have been) (?:developed|updated|revised|prepared|published)\b|will be the first\b"
    r"|recent shifts\b|the GDG\b|guideline development group\b|evidence (?:review|profile|synthesis)\b"
    r"|systematic reviews? (?:was|were)\b|first published\b|supersedes\b|previous (?:edition|version)\b"
    r"|(?:WHO|the) Handbook for Guideline Development\b|PICO questions?\b"
    r"|\bguidelines? (?:provides?|aims?|covers?|targets?|focus(?:es)?|includes?|presents?|is intended)\b"
    r"|^(?:Footnotes|References|Notes|Bibliography|Acknowledge?ments)\b)",
    re.IGNORECASE)
_LIST_ITEM = re.compile(r"^\s*(?:\d{1,2}[.)]|\([a-z0-9]\)|[a-z][.)]|[-*•▪●◦–])\s+")
_TITLE = re.compile(r"(?:chapter|section|part|annex|appendix|table|figure|fig\.|box)\s+[\w.]+\b", re.IGNORECASE)
_INTRODUCES = re.compile(r"\b(?:following|these|as follows|includes?|including)\b[^.]*$", re.IGNORECASE)
_END_PUNCT = re.compile(r"[.;:!?)\]]\s*$")
# A condition named by its ending (-iasis, -osis, -itis, -aemia ...) or one of the commonest by name.
_CONDITION = re.compile(r"(?:iasis|iases|osis|oses|itis|aemia|emia|oma|pathy|algia|aria)$")
_CONDITIONS = frozenset("""hypertension diabetes pneumonia measles cholera diarrhoea diarrhea hiv aids typhoid
dengue anaemia anemia asthma epilepsy meningitis sepsis shock eclampsia preeclampsia cancer""".split())


@dataclass(frozen=True)
class Candidate:
    n: int  # 1-based passage number
    start: int
    end: int
    words: frozenset[str]
    score: float = 0.0
    context: frozenset[str] = frozenset()  # words of the headings above it in its passage
    off_topic: bool = False  # about another condition than the one the question names


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1].isspace():
        e -= 1
    return s, e


def _line_windows(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """The span itself if short, else every run of its whole lines that fits MAX_QUOTE."""
    if e - s <= MAX_QUOTE:
        return [(s, e)]
    starts = [s] + [s + m.end() for m in re.finditer(r"\n", text[s:e])]
    ends = [st - 1 for st in starts[1:]] + [e]
    out = []
    for i, a in enumerate(starts):
        j = i
        while j + 1 < len(ends) and ends[j + 1] - a <= MAX_QUOTE:
            j += 1
        out.append((a, ends[j]))
    return out


def is_heading(span: str) -> bool:
    """A heading alone: a Markdown heading, or a short line with no number and no closing punctuation,
    or a numbered title ("3 Recommendations"), or a short all-capitals line."""
    line = span.strip()
    if line.startswith("#") or (len(line.split()) < 10 and _TITLE.match(line) and not line.endswith(".")):
        return True
    words = line.split()
    if len(words) < 8 and not _END_PUNCT.search(line):
        body = re.sub(r"^\d+(?:\.\d+)*\.?\s+", "", line)
        if not re.search(r"\d", body) or line.upper() == line:
            return True
    return False


def mostly_headings(span: str) -> bool:
    """A run of three or more lines most of which are headings (a page's list of section titles)."""
    lines = [line for line in span.splitlines() if line.strip()]
    if len(lines) < 3 or re.search(r"\d", span):
        return False  # a table's lines carry numbers: kept
    return sum(is_heading(line) for line in lines) >= 0.6 * len(lines)


def is_background(span: str) -> bool:
    """A sentence about the document (its development, history, scope), not about care."""
    return bool(_BACKGROUND.search(span))


def _drop_heading_lines(text: str, s: int, e: int) -> int:
    """The start past leading all-capitals (3 words or more) or Markdown heading lines glued to the sentence
    under them (a one-word capital line is a table's row label, kept)."""
    while True:
        nl = text.find("\n", s, e)
        if nl < 0:
            return s
        first = text[s:nl].strip()
        letters = [c for c in first if c.isalpha()]
        if first.startswith("#") or (len(first.split()) >= 3 and all(c.isupper() for c in letters)):
            s = nl + 1
            while s < e and text[s].isspace():
                s += 1
        else:
            return s


def _with_lists(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Spans, plus each sentence that introduces a list (ends in ':', or "the following" before items) run on
    through all its items while they fit MAX_LIST; a label ending in ':' always takes the next span."""
    out = list(spans)
    for i, (s, e) in enumerate(spans):
        intro_colon = text[e - 1] == ":"
        if not intro_colon and not (i + 1 < len(spans) and _LIST_ITEM.match(text[spans[i + 1][0]:spans[i + 1][1]])
                                    and _INTRODUCES.search(text[s:e]) and not _LIST_ITEM.match(text[s:e])):
            continue
        end, j = e, i + 1
        while j < len(spans) and spans[j][1] - s <= MAX_LIST:
            item = text[spans[j][0]:spans[j][1]]
            if j == i + 1 and not _LIST_ITEM.match(item) and not intro_colon:
                break
            if j > i + 1 and not _LIST_ITEM.match(item) and text[spans[j - 1][1] - 1] != ":":
                break
            end, j = spans[j][1], j + 1
        if end > e:
            out.append((s, end))
            out.remove((s, e))  # the introducing sentence never stands without its list
    return out


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Every answering span of every passage: sentences, list runs, table windows; no headings, no background."""
    out = []
    for i, p in enumerate(passages, start=1):
        text = p.text
        seen: set[tuple[int, int]] = set()
        heading = ""  # the last heading seen above, in reading order
        for s, e in sorted(_with_lists(text, sentence_spans(text)), key=lambda x: (x[0], x[1])):
            if is_heading(text[s:e]):
                heading = text[s:e]
                continue
            for a, b in _line_windows(text, s, e) if e - s > MAX_LIST else [(s, e)]:
                start = _drop_heading_lines(text, a, b)
                context = frozenset(content_words(heading + " " + text[a:start]))
                a, b = _trim(text, start, b)
                span = text[a:b]
                if (a, b) in seen or not span or is_heading(span) or mostly_headings(span) or is_background(span):
                    continue
                if a == 0 and span[0].islower():
                    continue  # the chunk starts mid-sentence: a fragment
                seen.add((a, b))
                words = frozenset(content_words(span))
                if len(words) >= 3:
                    out.append(Candidate(i, a, b, words, context=context))
    return out


def stem(word: str) -> str:
    """A crude stem so 'schistosomiasis' meets 'schistosomiases', 'hypertensive' meets 'hypertension'."""
    return word[:max(6, len(word) - 3)] if len(word) > 7 else word


def conditions(words) -> set[str]:
    """The stems of the words that name a condition (by their ending, or the commonest by name)."""
    return {stem(w) for w in words if len(w) > 4 and (_CONDITION.search(w) or _CONDITION.search(w + "s")
                                                     or w in _CONDITIONS)}


def _first_condition(text: str) -> str | None:
    """The condition a sentence is about: one named among its first few words (its subject)."""
    for w in content_words(text)[:SUBJECT_WORDS]:
        if conditions([w]):
            return stem(w)
    return None


def _weights(question_words: set[str], passages: list[Passage]) -> dict[str, float]:
    docs = [{stem(w) for w in content_words(p.text + " " + p.section)} for p in passages]
    return {w: 1.0 + math.log((1 + len(docs)) / (1 + sum(stem(w) in d for d in docs))) for w in question_words}


def score(question: str, cands: list[Candidate], passages: list[Passage], embedder=None,
          embed_weight: float | None = None) -> list[Candidate]:
    """The candidates scored for `question` (English search words), best first."""
    embed_weight = EMBED_WEIGHT if embed_weight is None else embed_weight
    qwords = set(content_words(question))
    if not qwords or not cands:
        return []
    weights = _weights(qwords, passages)
    total = sum(weights.values())
    wants_number = bool(qwords & QUANTITY)
    asked = conditions(qwords)
    section_stems = [{stem(w) for w in content_words(p.section.split(" > ")[-1] if p.section else "")}
                     for p in passages]
    scored = []
    for c in cands:
        text = passages[c.n - 1].text[c.start:c.end]
        stems = {stem(w) for w in c.words}
        context = stems | section_stems[c.n - 1] | {stem(w) for w in c.context}
        # A word of the question in the sentence counts fully, in its section heading half.
        overlap = sum(weights[w] * (1.0 if stem(w) in stems else 0.5 if stem(w) in context else 0.0)
                      for w in qwords) / total
        if wants_number and not any(w[0].isdigit() for w in c.words):
            overlap *= NO_NUMBER
        off_topic = False
        if asked:
            first = _first_condition(text) or next(iter(conditions(section_stems[c.n - 1]) - asked), None)
            off_topic = first is not None and first not in asked
            if off_topic:
                overlap *= OTHER_CONDITION  # about another condition, whatever else it mentions
        if overlap > 0:
            scored.append(Candidate(c.n, c.start, c.end, c.words, overlap + RANK_BONUS / c.n, c.context, off_topic))
    scored.sort(key=lambda x: (-x.score, x.n, x.start, -x.end))
    if embedder is not None and embed_weight:
        scored = _add_cosine(question, scored[:MAX_EMBED], passages, embedder, embed_weight) + scored[MAX_EMBED:]
        scored.sort(key=lambda x: (-x.score, x.n, x.start, -x.end))
    return scored


def _add_cosine(question: str, cands: list[Candidate], passages: list[Passage], embedder,
                weight: float) -> list[Candidate]:
    texts = [passages[c.n - 1].text[c.start:c.end][:EMBED_CHARS] for c in cands]
    q = np.asarray(embedder.embed_query(question), dtype=np.float32)
    m = np.asarray(embedder.embed_documents(texts), dtype=np.float32)
    cos = m @ q / ((np.linalg.norm(m, axis=1) * (np.linalg.norm(q) or 1.0)) + 1e-9)
    return [Candidate(c.n, c.start, c.end, c.words, c.score + weight * float(x), c.context, c.off_topic)
            for c, x in zip(cands, cos)]


def contained(a: frozenset[str], b: frozenset[str]) -> float:
    """Share of the smaller bag's words found in the other."""
    small, big = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & big) / len(small) if small else 1.0


def _repeats(c: Candidate, o: Candidate) -> bool:
    """`c` says what `o` says (its words mostly in `o`'s), or overlaps `o` in the same passage."""
    return contained(c.words, o.words) >= DUPLICATE or (c.n == o.n and c.start < o.end and o.start < c.end)


def choose(scored: list[Candidate], max_sentences: int) -> list[Candidate]:
    """The best candidates above MIN_SHARE of the top, none repeating another or overlapping it in its
    passage, none about another condition when one about the asked condition qualifies; in passage then
    reading order, so the best-ranked passage is read first and each passage's spans read naturally."""
    if not scored:
        return []
    floor = scored[0].score * MIN_SHARE
    on_topic = any(not c.off_topic for c in scored if c.score >= floor)
    chosen: list[Candidate] = []
    for c in scored:
        if len(chosen) >= max_sentences or c.score < floor:
            break
        if (c.off_topic and on_topic) or any(_repeats(c, o) for o in chosen):
            continue
        chosen.append(c)
    return sorted(chosen, key=lambda x: (x.n, x.start))
