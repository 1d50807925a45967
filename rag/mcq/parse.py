"""The option letter in a model's reply, or None (counted as unparsed, never guessed).

In order: an explicit 'Answer: X' / 'the answer is (x)'; a reply that starts with a letter
('b', '(C)', 'D.'); a reply that is, or holds exactly one, option's text. Anything else is None:
two different letters, prose without an option, an empty reply.
"""

from __future__ import annotations

import re

_EXPLICIT = re.compile(r"\banswer\s*(?:is|:|=|-)?\s*(?:option\s*)?[(\[]?\s*([a-z])\s*[)\]]?(?![a-z])", re.I)
_LEADING = re.compile(r"^\s*(?:option\s*)?[(\[]?([a-z])[)\].:,]?(?=\s|$)", re.I)
_SPACE = re.compile(r"\s+")
_PUNCT = re.compile(r"[^\w\s%/.-]")


def _norm(text: str) -> str:
    return _SPACE.sub(" ", _PUNCT.sub(" ", text.casefold())).strip(" .")


def parse_choice(reply: str | None, options: tuple[tuple[str, str], ...]) -> str | None:
    """The letter the reply chooses among `options`, or None when it does not say."""
    if not reply or not reply.strip():
        return None
    letters = {k for k, _ in options}
    text = reply.strip()
    found = {m.group(1).upper() for m in _EXPLICIT.finditer(text)} & letters
    if len(found) == 1:
        return found.pop()
    if len(found) > 1:
        return None
    m = _LEADING.match(text)
    if m and m.group(1).upper() in letters:
        letter = m.group(1)
        rest = text[m.end():].lstrip()
        # "A patient with..." or "a fever" is an article, not option A.
        if not (letter in "aAiI" and m.group(0).strip() == letter and rest[:1].islower()):
            return letter.upper()
    return _by_text(text, options)


def _by_text(text: str, options: tuple[tuple[str, str], ...]) -> str | None:
    reply = _norm(text)
    normed = [(k, _norm(v)) for k, v in options if _norm(v)]
    exact = [k for k, v in normed if v == reply]
    if len(exact) == 1:
        return exact[0]
    inside = [k for k, v in normed if re.search(rf"(?<!\w){re.escape(v)}(?!\w)", reply)]
    # An option contained in a longer one ("Malaria" in "Severe malaria") counts once, as the longer.
    inside = [k for k in inside if not any(k != j and dict(normed)[k] in dict(normed)[j] for j in inside)]
    return inside[0] if len(inside) == 1 else None
