"""Text for reading: source markup and PDF artefacts cleaned from a verbatim quote (never used to verify).

`display_text` strips Markdown emphasis, headings, bullet markers and table pipes, rejoins words a PDF
split with a hyphen ("recom- mended") or letter spacing ("RECOMMENDA TION"), and removes the source's
own footnote markers (`[2]` glued to a word, `\\(^ [2]\\)`, `^2`, superscript digits), so no footnote
reads as one of our [n] citations. `display_answer` does the same to an answer, keeping our markers.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from rag.text.stopwords import CONTENT_STOPWORDS

WORDNET = Path("/usr/share/wordnet")
# `\(^ [2]\)`, `\(^{2}\)`: a LaTeX superscript footnote as Markdown converters write it.
_LATEX_NOTE = re.compile(r"\s*\\\(\s*\^\s*\{?\s*\[?\s*(?:\d+|[a-z])(?:\s*[,–-]\s*(?:\d+|[a-z]))*\s*\]?\s*\}?\s*\\\)")
_ESCAPED_NOTE = re.compile(r"\\\[\d+(?:\s*[,–-]\s*\d+)*\\\]")  # Markdown's escaped "\[2\]"
_CARET_NOTE = re.compile(r"(?<=\S)\^\s*\[?\d+\]?")
_SUPERSCRIPT = re.compile(r"(?<=[^\W\d_\)\].,;:])[¹²³⁰⁴-⁹]+")
# "[2]" glued to the word or punctuation before it: a footnote, never our " [n]" (always after a space).
_GLUED_NOTE = re.compile(r"(?<=[^\s\[(])\[\d+(?:\s*[,–-]\s*\d+)*\]")
_ANY_NOTE = re.compile(r"\s*\[\d+(?:\s*[,–-]\s*\d+)*\]")
_OUR_MARKER = re.compile(r"\s*\[\d+(?:\s*[,;–-]\s*\d+)*\]")
_EMPHASIS = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1|(?<![\w*])\*(?=[^\s*])([^*\n]+?)(?<=[^\s*])\*(?![\w*])"
                       r"|(?<![\w_])_(?=[^\s_])([^_\n]+?)(?<=[^\s_])_(?![\w_])")
_HEADING = re.compile(r"(?m)^[ \t]*#{1,6}[ \t]+")
_BULLET = re.compile(r"(?m)^[ \t]*(?:[-*•▪●◦–][ \t]+)+")
_STACKED_BULLETS = re.compile(r"(?:(?<=^)|(?<=\s))(?:[-•▪●◦–][ \t]+){2,}")  # "- - Up to 30%" -> "- Up to 30%"
_TABLE_RULE = re.compile(r"(?m)^[ \t]*\|?(?:[ \t]*:?-{3,}:?[ \t]*\|)+[ \t]*:?-*:?[ \t]*$\n?")
_INLINE_RULE = re.compile(r"\|(?:[ \t]*:?-{3,}:?[ \t]*\|)+")  # a table's rule inside a line the answer flattened
_PIPES = re.compile(r"[ \t]*\|[ \t]*")
_EMPTY_CELLS = re.compile(r" ·(?: ·)+(?= |$)")  # " · · ·": blank table cells between separators
_HYPHEN_BREAK = re.compile(r"([^\W\d_]{2,})-\s+(?!(?:and|or|to|nor|und)\b)([a-z]{2,})")
_CAPS_PAIR = re.compile(r"\b([A-Z]{2,}) ([A-Z]{2,})\b")


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """English lemmas from WordNet's index files when installed (lower case), else an empty set."""
    words: set[str] = set()
    for pos in ("noun", "verb", "adj", "adv"):
        path = WORDNET / f"index.{pos}"
        if not path.is_file():
            continue
        with path.open(encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if not line.startswith(" "):
                    lemma = line.split(" ", 1)[0]
                    if "_" not in lemma:
                        words.add(lemma)
    return frozenset(words)


def _known(word: str) -> bool:
    w = word.lower()
    words = known_words()
    return w in words or w in CONTENT_STOPWORDS or (len(w) > 3 and w.endswith("s") and w[:-1] in words)


def _join_caps(m: re.Match) -> str:
    a, b = m.group(1), m.group(2)
    joined = a + b
    # A real two-word phrase ("WHO AND", "FIRST LINE") has two known parts; a split word has one at most
    # and is itself a word ("RECOMMENDA TION").
    if _known(joined) and not (_known(a) and _known(b)):
        return joined
    return m.group(0)


def repair_letter_spacing(text: str) -> str:
    """Rejoin all-caps words a PDF split with a space ("RECOMMENDA TION" -> "RECOMMENDATION")."""
    prev = None
    while prev != text:
        prev, text = text, _CAPS_PAIR.sub(_join_caps, text)
    return text


def strip_footnotes(text: str) -> str:
    """The text without the source's footnote markers (glued `[2]`, `\\(^ [2]\\)`, `^2`, superscripts)."""
    text = _LATEX_NOTE.sub("", text)
    text = _ESCAPED_NOTE.sub("", text)
    text = _CARET_NOTE.sub("", text)
    text = _SUPERSCRIPT.sub("", text)
    return _GLUED_NOTE.sub("", text)


def neutralise_markers(text: str) -> str:
    """Quoted source text with every `[digits]` removed, so only our own trailing [n] is a citation."""
    return _ANY_NOTE.sub("", strip_footnotes(text))


def display_text(s: str) -> str:
    """Readable text of a verbatim source span: markup stripped, PDF artefacts repaired, footnotes removed."""
    text = strip_footnotes(s)
    text = _TABLE_RULE.sub("", text)
    text = _HEADING.sub("", text)
    text = _STACKED_BULLETS.sub("- ", text)
    text = _BULLET.sub("", text)
    prev = None
    while prev != text:  # nested emphasis: ***x*** is bold inside italics
        prev, text = text, _EMPHASIS.sub(lambda m: next(g for g in m.groups()[1:] if g is not None), text)
    text = _INLINE_RULE.sub("|", text)
    text = "\n".join(_PIPES.sub(" · ", line).strip(" ·") for line in text.splitlines())
    text = _HYPHEN_BREAK.sub(r"\1\2", text)
    text = repair_letter_spacing(text)
    return _EMPTY_CELLS.sub(" ·", re.sub(r"[ \t]+", " ", text)).strip()


def display_answer(text: str) -> str:
    """An answer for reading: each line's text cleaned by `display_text`, our [n] markers kept."""
    out = []
    for line in text.splitlines():
        # Before the markers are read: `\\(^ [2]\\)` holds one.
        line = _CARET_NOTE.sub("", _ESCAPED_NOTE.sub("", _LATEX_NOTE.sub("", line)))
        pieces, pos = [], 0
        for m in _OUR_MARKER.finditer(line):
            if m.start() > 0 and not m.group(0)[0].isspace() and line[m.end():].strip():
                continue  # glued to a word mid-line: a source footnote that reached the text
            pieces += [display_text(line[pos:m.start()]), m.group(0).strip()]
            pos = m.end()
        pieces.append(display_text(line[pos:]))
        cleaned = ""
        for piece in filter(None, pieces):
            cleaned += piece if not cleaned or piece[0] in ".,;:)" else " " + piece
        if line.lstrip().startswith("- ") and not cleaned.startswith("- "):
            cleaned = "- " + cleaned  # the answer's own bullet stays
        out.append(cleaned)
    return "\n".join(out)
