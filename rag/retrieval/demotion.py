"""Pages that point to or support answers but never hold one: tables of contents and back-of-book
indexes (navigation), and a guideline's evidence apparatus (GRADE evidence tables, PICO questions,
reference lists, contributor lists).

A question's words ("artesunate", "persistent diarrhoea") all appear in a contents or index page, and
a PICO question or an evidence table restates the clinical question in its own words, so both
retrievers rank such chunks high; they fill result slots a clinician cannot use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import replace

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


HEADING_ONLY_WORDS = 15  # fewer words than this and no sentence: a heading, caption or running head alone
_SENTENCE_END = re.compile(r"[a-z0-9)%\]][.!?](?:\s|$)")
_QUANTITY = re.compile(r"\d\s?(?:mg|g|ml|kg|%|mmol|µg|mcg|iu|units?)\b", re.I)  # "Amoxicillin 250 mg tablet" answers


def is_heading_only(text: str) -> bool:
    """Whether a chunk is a heading, a caption or a cover line with nothing under it ("Remarks",
    "6.2 Rationale", "Table 1.1: Medicines with age or weight restrictions"): it names a topic, answers nothing."""
    words = text.replace("#", " ").split()
    if len(words) >= HEADING_ONLY_WORDS:
        return False
    if _LEADER.search(text):  # a lone index or contents entry
        return True
    return not _SENTENCE_END.search(text) and not _QUANTITY.search(text)


def attach_headings(order: list[int], rows: dict, fetch: Callable[[list[int]], dict]) -> list[int]:
    """A heading-only chunk names the topic of the chunk after it ("Visceral leishmaniasis in East Africa",
    then the regimen): retrieve the two as one passage, the heading's rank, the next chunk's id for citing.

    `rows` (id -> ChunkRow) is updated in place; ids of a document's chunks are consecutive in reading order,
    so the next chunk is id + 1 when it has the same document and the next seq. A next chunk already ranked
    higher keeps its place and the heading is dropped (it would repeat it)."""
    heads = [i for i in order if is_heading_only(rows[i].text)]
    if not heads:
        return order
    following = fetch([i + 1 for i in heads])
    out: list[int] = []
    placed: set[int] = set()
    for i in order:
        row, nxt = rows[i], following.get(i + 1) if i in heads else None
        if i in placed or (nxt is not None and i + 1 in placed):
            continue
        if nxt is not None and nxt.doc_id == row.doc_id and nxt.seq == row.seq + 1:
            rows[i] = replace(nxt, text=f"{row.text}\n\n{nxt.text}", page_start=row.page_start, line_start=row.line_start,
                              page_labels=_joined_labels(row, nxt))
            placed.add(i + 1)
        out.append(i)
        placed.add(i)
    return out


def _joined_labels(first, second) -> tuple:
    if first.page_start is None or second.page_start is None:
        return second.page_labels
    if first.page_end == second.page_start:  # the page both are on is labelled once
        return (*first.page_labels, *second.page_labels[1:])
    return (*first.page_labels, *second.page_labels)


# Leaf sections that list sources or people, and any level that holds PICO questions or GRADE tables.
_APPARATUS_LEAF = re.compile(r"^(?:\d+(?:\.\d+)*\.?\s*)?(?:references?|bibliography|main references|"
                             r"(?:list of )?contributors|acknowledge?ments|declarations? of interests?)\b", re.I)
_APPARATUS_ANY = re.compile(r"\bpico questions?\b|\bgrade (?:summary |evidence )?tables?\b|\bevidence profiles?\b", re.I)
# Column headings and verdicts of a GRADE evidence profile; a recommendation's own text names one or two.
_GRADE_MARKERS = ("risk of bias", "inconsistency", "indirectness", "imprecision", "publication bias", "no serious",
                  "very serious", "95% ci", "95%ci", "relative effect", "absolute effect", "certainty of the evidence",
                  "certainty of evidence", "participants (studies)")
GRADE_MARKERS_MIN = 4


def is_evidence_apparatus(text: str, section: Sequence[str] = ()) -> bool:
    """Whether a chunk is a GRADE evidence table, a PICO question list, or a list of references or contributors."""
    if section and _APPARATUS_LEAF.match(section[-1].strip()):
        return True
    if any(_APPARATUS_ANY.search(level) for level in section):
        return True
    folded = text.casefold()
    return sum(marker in folded for marker in _GRADE_MARKERS) >= GRADE_MARKERS_MIN


def demote_navigation(order: list[int], is_nav, is_apparatus=None) -> list[int]:
    """The same ids with evidence apparatus, then navigation, moved after all others (each group keeps its order)."""
    nav = [i for i in order if is_nav(i)]
    support = [i for i in order if i not in nav and is_apparatus(i)] if is_apparatus is not None else []
    if not nav and not support:
        return order
    moved = {*nav, *support}
    return [i for i in order if i not in moved] + support + nav


EQUIVALENT_SHARE = 0.2  # of the shorter passage's word shingles: the same recommendation, reworded or updated
_NUMBERING = re.compile(r"^\s*(?:\d+(?:\.\d+)*\.?|[A-Z]\.|annex \d+\.?)\s*", re.I)


def prefer_newest_edition(order: list[int], doc_of: Callable[[int], str], newest_of: dict[str, str],
                          fingerprint: Callable[[int], frozenset], section_of: Callable[[int], Sequence[str]]) -> list[int]:
    """The same ids with each passage of a superseded edition placed just below its equivalent in the newest
    edition, which moves up to it: the newest edition's wording takes the older one's rank.

    The equivalent is the newest edition's candidate under the same section title (numbering aside) or
    sharing EQUIVALENT_SHARE of its word shingles; of several, the most alike, then the best-ranked.
    `newest_of`: doc_id -> the newest edition's doc_id, for older editions only. A superseded passage
    with no equivalent here (a filter on the older edition, a topic only it covers) keeps its place:
    superseded text ranks below its replacement, it is never hidden."""
    if not newest_of or not any(doc_of(i) in newest_of for i in order):
        return order
    out: list[int] = []
    placed: set[int] = set()
    for i in order:
        if i in placed:
            continue
        twin = _equivalent(i, order, doc_of, newest_of.get(doc_of(i)), fingerprint, section_of)
        if twin is not None and twin not in placed:
            out.append(twin)
            placed.add(twin)
        out.append(i)
        placed.add(i)
    return out


def _equivalent(i: int, order: list[int], doc_of, newest: str | None, fingerprint, section_of) -> int | None:
    if newest is None:
        return None
    own, heading = fingerprint(i), _heading(section_of(i))
    best, best_score = None, None
    for j in order:
        if doc_of(j) != newest:
            continue
        share = _overlap(own, fingerprint(j))
        same_section = bool(heading) and _heading(section_of(j)) == heading
        if share < EQUIVALENT_SHARE and not same_section:
            continue
        score = (share, same_section)
        if best_score is None or score > best_score:  # strictly better: the best-ranked of equals stays
            best, best_score = j, score
    return best


def _heading(section: Sequence[str]) -> str:
    """A section's own title without its numbering, for comparing editions ("2.2 Severe malaria" = "3.1 Severe malaria")."""
    return _NUMBERING.sub("", section[-1]).casefold().strip() if section else ""


def _overlap(a: frozenset, b: frozenset) -> float:
    return len(a & b) / min(len(a), len(b)) if a and b else 0.0
