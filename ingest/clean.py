"""Text cleaning shared by the parsers: Unicode, hyphenation, spaces, page furniture."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter

# InDesign exports (e.g. the WHO pocket book) put a space after ligature glyphs: "diﬃ cult".
_LIGATURE_SPACE = re.compile(r"([\ufb01-\ufb04]) (?=[a-z])")
# A word fragment, hyphen, line break, lowercase continuation: "treat-\nment".
_HYPHEN_BREAK = re.compile(r"(\S+)-[ \t]*\n[ \t]*(?=(?P<lower>[a-z])|[A-Z]{2})")
_SPACES = re.compile(r"[ \t\f\v\u00a0\u2000-\u200a\u202f\u205f\u3000]+")
_ROMAN = r"(?=[ivxlcdm])m{0,3}(?:cm|cd|d?c{0,3})(?:xc|xl|l?x{0,3})(?:ix|iv|v?i{0,3})"
_PAGE_NUMBER = re.compile(
    rf"^\s*(?:page\s+)?(?:[-–—]\s*)?(?:\d{{1,4}}|{_ROMAN})(?:\s*[-–—])?"
    r"(?:\s*(?:/|of)\s*\d{1,4})?\s*$",
    re.IGNORECASE,
)
_DIGITS = re.compile(r"\d+")
_LETTERS = re.compile(r"[^\W\d_]")
# Control characters some fonts map glyphs to (e.g. '\x18' for digits); never meaningful text.
_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")
EDGE_ONLY_SHARE = 0.8  # share of a running line's pages where it sits at the edge
EDGE_LINES = 3  # how many lines at the top and bottom of a page may be running furniture


# Word's Symbol- and Wingdings-font glyphs land in the private use area (U+F000 + the font's code); NFKC leaves
# them alone. Bullets, and the unit signs a number needs ("35.5\uf0b0C" is 35.5 °C): only codes whose meaning
# in running text is not in doubt. The EML's "square box symbol" (therapeutic alternatives) is Wingdings' box.
_PRIVATE_GLYPHS = str.maketrans({"\uf0b7": "•", "\uf0a7": "▪", "\uf0d8": "➢", "\uf076": "❖", "\uf0fc": "✓",
                                 "\uf0b0": "°", "\uf02d": "–", "\uf06f": "□"})
# pypdf writes a glyph it cannot map as its name ("/L50776" where the pocket book prints a bullet).
_GLYPH_NAME = re.compile(r"(?<!\S)/[A-Z]\d{4,}(?!\S)")


# NFKC would turn '1½' into '11⁄2' (read as 11/2) and '10⁹/L' into '109/L': numbers must never change.
_VULGAR = {"½": "1/2", "⅓": "1/3", "⅔": "2/3", "¼": "1/4", "¾": "3/4", "⅕": "1/5", "⅖": "2/5", "⅗": "3/5", "⅘": "4/5",
           "⅙": "1/6", "⅚": "5/6", "⅐": "1/7", "⅛": "1/8", "⅜": "3/8", "⅝": "5/8", "⅞": "7/8", "⅑": "1/9", "⅒": "1/10"}
_FRACTION = re.compile(r"(?:(\d)[ \t]*)?([" + "".join(_VULGAR) + r"])")
# Superscripts and subscripts are exponents and formulae ('m²', '10⁹/L', 'CO₂'): kept as printed.
_KEEP = re.compile(r"([\u00b2\u00b3\u00b9\u2070-\u209f])")


def _fraction(m: re.Match[str]) -> str:
    """'1½' -> '1 1/2' (one and a half), '½' -> '1/2', '¼½' -> '1/4 1/2': spelled fractions never touch a digit."""
    whole, text = m.group(1), m.string
    before = text[m.start() - 1] if m.start() and not whole else " "
    after = text[m.end()] if m.end() < len(text) else " "
    spelled = f"{whole} {_VULGAR[m.group(2)]}" if whole else _VULGAR[m.group(2)]
    space_before = "" if before.isspace() or before in "([" else " "
    space_after = " " if after.isalpha() or after in "0123456789" else ""
    return space_before + spelled + space_after


def normalize_unicode(text: str) -> str:
    """NFKC (expands ligatures such as 'ﬁ') that leaves every number as printed: fractions, exponents.

    Vulgar fractions are spelled out ('1½' -> '1 1/2'), the fraction slash becomes '/', and
    superscript/subscript characters are kept, since NFKC would glue them to the digits before.
    Symbol-font bullets and degree signs and pypdf's unmapped glyph names ("/L50776") become what is printed.
    """
    text = _FRACTION.sub(_fraction, _LIGATURE_SPACE.sub(r"\1", text)).replace("\u2044", "/")
    parts = _KEEP.split(text)  # odd indices are the kept characters
    text = "".join(part if i % 2 else unicodedata.normalize("NFKC", part) for i, part in enumerate(parts))
    return _GLYPH_NAME.sub("•", _CONTROLS.sub("", text.translate(_PRIVATE_GLYPHS)))


def join_hyphenation(text: str) -> str:
    """Join words split at line ends ('treat-\\nment'), keeping compounds ('test-and-\\ntreat')."""

    def repl(m: re.Match[str]) -> str:
        fragment = m.group(1)
        # A fragment that already holds a hyphen is a compound: the break hyphen is real.
        if "-" in fragment or not fragment[-1].isalpha():
            return fragment + "-"
        # Capitals continue capitals only in headings ('MASTOIDI-\nTIS'); short ones are prefixes ('CO-\nARTEM').
        if m.group("lower") is None and not (fragment.isupper() and len(fragment) >= 4):
            return fragment + "-"
        return fragment

    return _HYPHEN_BREAK.sub(repl, text)


def collapse_spaces(text: str) -> str:
    """Collapse runs of horizontal whitespace to one space; keep newlines, strip line ends."""
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(lines)


# A drop capital set apart from its word: "T riage and emergency conditions" (not "A few", "I have").
_DROP_CAPITAL = re.compile(r"^([B-HJ-Z]) ([a-z]{2,})")  # at a title's start only: "HIV and T cells" stays
_DOUBLED = re.compile(r"^(?P<t>.{4,}?) (?P=t)$")  # a heading drawn twice for a bold effect


def heading_text(title: str) -> str:
    """A section title as printed: drop capitals rejoined, a title set twice ('3. Approach 3. Approach') once."""
    title = _DROP_CAPITAL.sub(r"\1\2", title.strip())
    while m := _DOUBLED.match(title):
        title = m.group("t")
    return title


def is_page_number(line: str) -> bool:
    """True for a line that is only a page number: '12', '- 12 -', 'iv', 'Page 3 / 663', '2 of 478'."""
    return bool(_PAGE_NUMBER.match(line))


def strip_page_numbers(text: str) -> str:
    """Remove page-number lines at the top and bottom of a page (a bare number inside is table data)."""
    lines = _strip_edge(text.split("\n"), set(), top=True)
    return "\n".join(_strip_edge(lines, set(), top=False))


def squeeze_blank_lines(text: str) -> str:
    """Keep at most one blank line in a row and none at the ends."""
    return re.sub(r"\n{3,}", "\n\n", text).strip("\n")


def clean_text(text: str) -> str:
    """The cleaning every format gets: Unicode, spaces, hyphenation, blank-line runs."""
    text = collapse_spaces(normalize_unicode(text.replace("\r\n", "\n").replace("\r", "\n")))
    return squeeze_blank_lines(join_hyphenation(text))


def _furniture_key(line: str) -> str:
    """A line's identity for header/footer detection: digits and case do not count."""
    return _DIGITS.sub("#", _SPACES.sub(" ", line).strip()).casefold()


def _edge_keys(lines: list[str], top: bool) -> set[str]:
    """The furniture keys of the first (or last) non-blank lines of a page."""
    content = [line for line in lines if line.strip()]
    edge = content[:EDGE_LINES] if top else content[-EDGE_LINES:]
    return {_furniture_key(line) for line in edge}


def find_running_lines(pages: list[str], min_share: float = 0.03, min_pages: int = 3) -> tuple[set[str], set[str]]:
    """Keys of lines repeated at the top (headers) and bottom (footers) of many pages."""
    threshold = max(min_pages, int(min_share * len(pages)))
    tops: Counter[str] = Counter()
    bottoms: Counter[str] = Counter()
    anywhere: Counter[str] = Counter()
    for page in pages:
        lines = page.split("\n")
        tops.update(_edge_keys(lines, top=True))
        bottoms.update(_edge_keys(lines, top=False))
        anywhere.update({_furniture_key(line) for line in lines})

    def running(counts: Counter[str]) -> set[str]:
        # Furniture lives only at the edges; a label like 'Remarks' that also sits mid-page is content.
        # Keys without words are table rows of numbers ('#.# # #'), not furniture.
        return {
            k for k, n in counts.items()
            if len(_LETTERS.findall(k)) >= 2 and n >= threshold and n >= EDGE_ONLY_SHARE * anywhere[k]
        }

    return running(tops), running(bottoms)


def _strip_edge(lines: list[str], keys: set[str], top: bool) -> list[str]:
    """Drop running lines (and page numbers) from one edge of a page, stopping at body text."""
    lines = list(lines)
    removed = 0
    while lines and removed < EDGE_LINES + 1:
        index = 0 if top else -1
        line = lines[index]
        if not line.strip():
            lines.pop(index)
        elif _furniture_key(line) in keys or is_page_number(line):
            lines.pop(index)
            removed += 1
        else:
            break
    return lines


def remove_running_headers(pages: list[str], min_share: float = 0.03, min_pages: int = 3) -> list[str]:
    """Remove headers/footers: lines that repeat (digits aside) at the top or bottom of many pages."""
    if len(pages) < min_pages:
        return list(pages)
    headers, footers = find_running_lines(pages, min_share, min_pages)
    cleaned = []
    for page in pages:
        lines = _strip_edge(page.split("\n"), headers, top=True)
        lines = _strip_edge(lines, footers, top=False)
        cleaned.append("\n".join(lines))
    return cleaned
