"""Is an answer claim a whole, verbatim quote of its cited passage?

The rule verifier checks a claim against one sentence or table row of the passage. An extractive
answer quotes longer stretches (a recommendation with its list, a table window), so its best single
span holds only part of the quote, and another row's number reads as a contradiction ("the guideline
says 400 mg, the claim says 300 mg" about a quote holding both). A quote that is the passage's own
text says what the passage says, provided it is not a fragment cut from inside a sentence: "give
aspirin to children" cut from "Never give aspirin to children" is no quote. So the match must start
and end where the source's own statement does.

The words must be the passage's, in its order; its layout may differ. List bullets (any glyph, a dash
at a line start) and table cell bars between the words, Markdown emphasis (`**furosemide**`), PDF
glyph artefacts (ligatures, a word split by a space or a line break, a minus sign for a dash, curly
quotes) are not words. A quote may end at a line end inside a sentence when the rest of that sentence
changes nothing it says: no negation, restriction or condition, and (for a quote that does not visibly
end mid-phrase) no number, drug, route, population or qualifier ("Give amoxicillin to the children"
cut before "with fast breathing" is no quote). A list item whose lead-in negates ("Do not:") is no
whole statement either.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from rag.verify.facts import facts, tokens
from rag.verify.lexicon import NEGATIONS, RESTRICTIONS

MIN_WORDS = 3  # a shorter match ("Chronic phase") is a heading or a cell, left to the rules
_OPENS = ".;:!?)]|•·–—-*"  # what may stand right before a quote's first word
_CLOSES = ".;:,!?)]|"  # what may stand right after its last word
# A line break inside a sentence ends with one of these: the next line continues it.
_CARRY = {*NEGATIONS, *(r.split()[0] for r in RESTRICTIONS), "do", "does", "should", "must", "may", "and", "or",
          "to", "of", "the", "a", "an", "for", "with", "in", "if", "than", "unless", "except"}
_WORD = re.compile(r"\S+")
_SENTENCE_END = re.compile(r"[.;:!?]\s")

# Layout, folded before matching (`_fold`): every list glyph reads as one bullet.
BULLET = "•"
_GLYPHS = frozenset("•▪●◦‣∙○■□◆◇▸►➢➤✓✔❖")  # not "·": a decimal point in some guidelines
_DASHES = frozenset("‐‑‒–—−")
_LINE_BULLET = re.compile(r"(?m)^[ \t]*([-‐‑‒–—−*])(?=[ \t])")  # "– < 6 months", "* item": a bullet
_SEP = r"(?:\s+(?:[•|]\s*)*|(?:[•|]\s*)+)"  # between two words: space, bullets, cell bars

# A quote cut at a line end inside a sentence: what the rest of the sentence may not hold.
_CONDITIONS = frozenset({"if", "unless", "except", "only", "when", "whenever", "until", "provided", "but", "however",
                         "although", "though", "instead", "rather", "otherwise", "whether"})
_QUALIFIERS = frozenset({"with", "without", "who", "whom", "whose", "which", "that", "where", "in", "for", "during",
                         "after", "before", "at", "on", "from", "under", "over", "above", "below", "than", "to", "per",
                         "within", "by", "as", "via"})
# A quote ending in one of these visibly stops mid-phrase ("... to the middle of the"): it asserts nothing more.
_MID_PHRASE = frozenset({"a", "an", "the", "of", "to", "for", "with", "in", "on", "at", "by", "from", "into", "per",
                         "and", "or", "its", "their", "his", "her", "this", "these", "those", "your"})
_REST_END = re.compile(r"[.;:!?](?=\s|$)|\n\s*\n|\n\s*•")
MAX_REST = 300  # characters; a longer rest of the sentence is not read as harmless


@lru_cache(maxsize=4096)
def _fold(text: str) -> tuple[str, tuple[int, ...]]:
    """`text` with its layout folded (bullets one glyph, Markdown stars dropped, NFKC, plain dashes and
    quotes) and, for each folded character, the offset of the character it came from (one more at the end)."""
    marks = {m.start(1) for m in _LINE_BULLET.finditer(text)}
    out: list[str] = []
    at: list[int] = []
    for i, ch in enumerate(text):
        if i in marks or ch in _GLYPHS or unicodedata.category(ch) == "Co":  # private use: a Symbol-font bullet
            rep = BULLET
        elif ch == "*":
            continue  # Markdown emphasis, a footnote star
        elif ch in _DASHES:
            rep = "-"
        elif ch in "’‘":
            rep = "'"
        elif ch in "“”":
            rep = '"'
        else:
            rep = unicodedata.normalize("NFKC", ch)  # "ﬁ" -> "fi", a no-break space -> " "
        out.extend(rep)
        at.extend([i] * len(rep))
    at.append(len(text))
    return "".join(out), tuple(at)


def _word_pattern(word: str) -> str:
    if word == "-":
        return "[-•]"  # a dash standing alone may be a list dash the passage shows as a bullet
    out = re.escape(word[0])
    for a, b in zip(word, word[1:]):
        out += (r"\s?" if a.isalpha() and b.isalpha() else "") + re.escape(b)  # "c\nhild", "G ive"
    return out


@lru_cache(maxsize=2048)
def _pattern(claim: str) -> re.Pattern | None:
    words = [w.strip("•|") for w in _WORD.findall(_fold(claim)[0])]
    words = [w for w in words if w]
    if len(words) < MIN_WORDS:
        return None
    out = _word_pattern(words[0])
    for prev, word in zip(words, words[1:]):
        # a space the copy put inside a word ("ﬁ ve") may be absent from the passage
        out += (f"{_SEP}?" if prev[-1].isalpha() and word[0].isalpha() else _SEP) + _word_pattern(word)
    return re.compile(out)


def _negated(text: str) -> bool:
    f = facts(text)
    return bool(f.negations or f.restrictions)


def _lead_in_negates(text: str, bullet: int) -> bool:
    """The list item starting after the bullet at `bullet` sits under a lead-in that negates ("Do not:")."""
    lines = text[:bullet].split("\n")[:-1]  # the lines above the item's own
    for line in reversed(lines[-12:]):
        if not line.strip():
            return False
        if not line.lstrip().startswith(BULLET):
            return _negated(line)  # the nearest line that is not an item: the lead-in (or an item's wrap)
    return False


def _opens(text: str, start: int) -> bool:
    if start and not (text[start - 1].isspace() or text[start - 1] in "|•*"):
        return False  # inside a word ("anti-malarial")
    before = text[:start]
    stripped = before.rstrip()
    if not stripped:
        return True
    if stripped[-1] == BULLET:
        return not _lead_in_negates(text, len(stripped) - 1)
    if stripped[-1] in _OPENS:
        return True
    if "\n" in before[len(stripped):]:  # the quote starts a line: a new statement unless the sentence runs on
        last = stripped.split()[-1].lower().strip(",")
        tail = _SENTENCE_END.split(stripped)[-1].lower()  # the sentence so far, before the quote
        cue = any(re.search(rf"(?<!\w){re.escape(c)}(?!\w)", tail) for c in (*NEGATIONS, *RESTRICTIONS))
        return last not in _CARRY and not last.endswith("n't") and not cue
    return False


def _rest(text: str, end: int) -> str | None:
    """The rest of the sentence after text[:end] (None when it runs on too long to read as one)."""
    m = _REST_END.search(text, end)
    rest = text[end:m.end() if m else len(text)]
    return rest if len(rest) <= MAX_REST else None


def _rest_negates(text: str, end: int) -> bool:
    """The rest of the sentence negates, restricts or conditions what comes before ("Give aspirin for fever,
    but never to children")."""
    rest = _rest(text, end)
    if rest is None:
        return True
    f = facts(rest)
    return bool(f.negations or f.restrictions or set(tokens(rest)) & _CONDITIONS)


def _rest_changes_nothing(text: str, start: int, end: int) -> bool:
    """The quote text[start:end] ends at a line end inside a sentence: True when the rest of the sentence
    neither negates, restricts nor conditions it and adds no fact the quote would then claim without."""
    quote = text[start:end]
    words = tokens(quote)
    if not words:
        return False
    last = words[-1]
    if (last in _CARRY and last not in _MID_PHRASE) or last.endswith("n't"):
        return False  # "Antibiotics should" / "not be given": the force of the statement is in the rest
    rest = _rest(text, end)
    if rest is None or _rest_negates(text, end):
        return False
    rest_words = set(tokens(rest))
    f = facts(rest)
    if f.quantities or f.drugs or f.routes:
        return False
    if last in _MID_PHRASE:  # visibly cut: the rest may name the population the passage is about already
        return f.populations <= facts(quote).populations | facts(text[:start]).populations
    return not f.populations and not rest_words & _QUALIFIERS


def _closes(text: str, start: int, end: int) -> bool:
    if end < len(text) and not (text[end].isspace() or text[end] in _CLOSES):
        return False  # inside a word or a number ("10" of "100 mg")
    quote = text[start:end]
    after = text[end:]
    stripped = after.lstrip()
    if not stripped:
        return True
    if quote[-1] == "," or stripped[0] == ",":  # a clause: what the sentence goes on to say must not undo it
        return not _rest_negates(text, end)
    if quote[-1] in _CLOSES or stripped[0] in _CLOSES:
        return True
    if "\n" in after[: len(after) - len(stripped)]:  # the next line starts a new statement, not "under 5 years"
        return not stripped[0].islower() or _rest_changes_nothing(text, start, end)
    return False


def whole_quote(claim: str, text: str) -> str | None:
    """The passage's own text of `claim` (layout may differ: whitespace, bullets, cell bars, glyphs) when it is
    a whole statement there, else None."""
    pattern = _pattern(claim.strip())
    if pattern is None:
        return None
    folded, at = _fold(text)
    for m in pattern.finditer(folded):
        if _opens(folded, m.start()) and _closes(folded, m.start(), m.end()):
            return text[at[m.start()]:at[m.end() - 1] + 1]
    return None
