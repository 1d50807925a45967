"""Tables of contents and back-of-book indexes: pages that point to answers but never hold one.

A question's words ("artesunate", "persistent diarrhoea") all appear in a contents or index
page, so both retrievers rank such chunks high; they fill result slots a clinician cannot use.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

# Dot (or underscore) leaders between an entry and its page number: "Malaria ........ 23".
_LEADER = re.compile(r"(?:\.\s?){4,}|…{2,}|(?:_\s?){4,}")
_LEADER_MARKS = ("....", ". . . .", "……", "____", "_ _ _ _")
NAVIGATION_SECTIONS = {"contents", "table of contents", "index", "list of tables", "list of figures"}
LEADER_SHARE = 0.3  # lines with leaders, as a share of the chunk's lines


def is_navigation(text: str, section: Sequence[str] = ()) -> bool:
    """Whether a chunk is a contents/index listing: leader lines, or a section titled so."""
    if section and section[-1].strip().casefold() in NAVIGATION_SECTIONS:
        return True
    if not any(mark in text for mark in _LEADER_MARKS):  # most chunks: substring scans, no regex
        return False
    lines = [line for line in text.split("\n") if line.strip()]
    if len(lines) < 2:  # one line with leaders may be a form to fill in
        return False
    return sum(bool(_LEADER.search(line)) for line in lines) / len(lines) >= LEADER_SHARE


def demote_navigation(order: list[int], is_nav) -> list[int]:
    """The same ids with navigation chunks moved after all others (each group keeps its order)."""
    nav = [i for i in order if is_nav(i)]
    if not nav:
        return order
    return [i for i in order if not is_nav(i)] + nav
