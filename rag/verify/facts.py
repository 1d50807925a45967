"""Facts of one sentence: quantities (value or range, unit, comparator), negation, restriction, drugs,
routes and populations, each with the words it was read from so a reason can quote them."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from rag.verify.lexicon import DRUG_SUFFIXES, DRUGS, NEGATIONS, NOT_ROUTES, POPULATIONS, RESTRICTIONS, ROUTES, SYNONYMS, UNITS

_VULGAR = {"½": 0.5, "¼": 0.25, "¾": 0.75, "⅓": 1 / 3, "⅔": 2 / 3, "⅛": 0.125}
_NUM = r"\d+(?:[.,]\d+)?"
# A number: "1 1/2", "1½", "½", "1/2", "2.5", "2,5", "1,000".
_VALUE = rf"(?:\d+\s*[½¼¾⅓⅔⅛]|[½¼¾⅓⅔⅛]|\d+\s+\d/\d\b|\b\d/\d\b|{_NUM})"
_UNIT = "|".join(f"(?:{pattern})" for pattern, _ in UNITS)
_COMPARATORS = [
    (r"<=|≤|=<|at most|up to|not more than|no more than|maximum(?: of)?|max\.?", "<="),
    (r">=|≥|=>|at least|not less than|no less than|minimum(?: of)?|min\.?", ">="),
    (r"<|less than|under|below|fewer than|younger than", "<"),
    (r">|more than|over|above|greater than|older than|exceeding", ">"),
]
_COMP = "|".join(f"(?:{p})" for p, _ in _COMPARATORS)
_QUANTITY = re.compile(
    rf"(?P<comp>{_COMP})?\s*(?P<lo>{_VALUE})"
    rf"(?:\s*(?P<lounit>{_UNIT}))?"
    rf"(?:\s*(?:-|–|—|to)\s*(?P<comp2><|≤)?\s*(?P<hi>{_VALUE}))?"
    rf"(?:\s*(?P<unit>{_UNIT}))?(?P<after>\s+(?:or more|or above|or over|and above|or less|or under|or below))?",
    re.IGNORECASE)


@dataclass(frozen=True)
class Quantity:
    """A number or range with its unit; `comparator` is one of '', '<', '<=', '>', '>='."""

    lo: float
    hi: float
    unit: str | None
    comparator: str
    text: str  # as written, for reasons

    def same_value(self, other: Quantity) -> bool:
        return _close(self.lo, other.lo) and _close(self.hi, other.hi)

    def within(self, other: Quantity) -> bool:
        """This single value lies inside `other`'s range (a claim of 10 days against 10-14 days)."""
        return other.lo - 1e-9 <= self.lo <= self.hi <= other.hi + 1e-9 and other.lo != other.hi


@dataclass(frozen=True)
class Facts:
    """What the rules compare between a claim and its evidence span."""

    quantities: tuple[Quantity, ...]
    negations: tuple[tuple[str, tuple[str, ...]], ...]  # (cue, content words of the few words after it)
    restrictions: tuple[str, ...]
    drugs: frozenset[str]
    routes: frozenset[str]
    populations: frozenset[str]
    words: tuple[str, ...]  # normalised content words, synonyms mapped


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= 1e-6 * max(1.0, abs(a), abs(b))


def normalise(text: str) -> str:
    """NFKC after vulgar fractions are read (NFKC would turn ½ into 1⁄2), dashes and quotes plain."""
    text = re.sub(r"(\d)\s*([½¼¾⅓⅔⅛])", lambda m: f"{m.group(1)}{m.group(2)}", text)
    text = text.replace("⁄", "/")
    out = "".join(ch if ch in _VULGAR else unicodedata.normalize("NFKC", ch) for ch in text)
    out = re.sub("[‐‑‒–—−]", "-", out).replace("’", "'").replace("‘", "'").replace("“", '"').replace("”", '"')
    return re.sub(r"-\n(?=[a-z])", "", out)


def parse_value(raw: str) -> float:
    """'1½' -> 1.5, '1 1/2' -> 1.5, '½' -> 0.5, '2,5' -> 2.5, '1,000' -> 1000."""
    raw = raw.strip()
    if raw[-1] in _VULGAR:
        whole = raw[:-1].strip()
        return (float(whole) if whole else 0.0) + _VULGAR[raw[-1]]
    m = re.fullmatch(r"(\d+)\s+(\d)/(\d)", raw)
    if m:
        return int(m.group(1)) + int(m.group(2)) / int(m.group(3))
    m = re.fullmatch(r"(\d)/(\d)", raw)
    if m:
        return int(m.group(1)) / int(m.group(2))
    if re.fullmatch(r"\d{1,3}(?:,\d{3})+", raw):
        return float(raw.replace(",", ""))
    return float(raw.replace(",", "."))


@lru_cache(maxsize=64)
def _unit_regexes() -> tuple[tuple[re.Pattern, str], ...]:
    return tuple((re.compile(rf"(?:{p})\Z", re.IGNORECASE), name) for p, name in UNITS)


def canonical_unit(raw: str | None) -> str | None:
    if not raw:
        return None
    raw = raw.strip()
    for pattern, name in _unit_regexes():
        if pattern.match(raw):
            return name
    return raw.lower()


def _comparator(raw: str | None) -> str:
    if not raw:
        return ""
    for pattern, name in _COMPARATORS:
        if re.fullmatch(pattern, raw.strip(), re.IGNORECASE):
            return name
    return ""


def quantities(text: str) -> tuple[Quantity, ...]:
    """Every number in `text` with its unit, comparator and range; list markers and years dropped."""
    out = []
    for m in _QUANTITY.finditer(text):
        start = m.start("lo")
        if start > 0 and (text[start - 1].isalpha() or text[start - 1] in "[/"):
            continue  # "B12", "[3]", a fraction's denominator
        lo = parse_value(m.group("lo"))
        hi = parse_value(m.group("hi")) if m.group("hi") else lo
        unit = canonical_unit(m.group("unit") or m.group("lounit"))
        comp = _comparator(m.group("comp"))
        after = (m.group("after") or "").strip().lower()
        if after:
            comp = ">=" if any(w in after for w in ("more", "above", "over")) else "<="
        if m.group("comp2") and comp == "":
            comp = "range<"
        if unit is None and 1900 <= lo <= 2100 and lo == hi:
            continue  # a year
        if m.group("hi") and hi < lo:  # "10-2" is not a range; keep the first number
            hi = lo
        out.append(Quantity(lo, hi, unit, comp, m.group(0).strip()))
    return tuple(out)


NEGATION_SCOPE = 6  # words after a cue that it may negate
_WORD = re.compile(r"\d+(?:[.,]\d+)?(?![\w])|[^\W_]+(?:[-'][^\W_]+)*", re.UNICODE)


_FRACTION = re.compile(r"(?:\d+\s*[½¼¾⅓⅔⅛]|[½¼¾⅓⅔⅛]|\b\d+\s+\d/\d\b|\b\d/\d\b)")


def _decimal(m: re.Match) -> str:
    return f" {parse_value(m.group(0)):g} "


def tokens(text: str) -> list[str]:
    """Lower-cased words; fractions as decimals ("1 1/2", "1½" -> 1.5); "10-14" is two numbers,
    "artemether-lumefantrine" stays one word."""
    out = []
    for w in _WORD.findall(_FRACTION.sub(_decimal, text)):
        w = w.lower().removesuffix("'s")
        out.extend(w.split("-") if any(c.isdigit() for c in w) else [w])
    return out


_DRUG_SUFFIX = re.compile(rf"\w{{3,}}(?:{'|'.join(s for s in DRUG_SUFFIXES if len(s) >= 4)})\Z")


def is_drug(word: str) -> bool:
    """A known drug name, or a word with an INN stem (-cillin, -azole, ...)."""
    word = word.lower()
    return word in DRUGS or (bool(_DRUG_SUFFIX.match(word)) and word not in _NOT_DRUGS)


_NOT_DRUGS = frozenset({"examine", "determine", "thiamine", "amine", "famine", "undermine", "vitamine"})


def _cues(words: list[str], cues: dict[str, str], not_cues: tuple[str, ...] = ()) -> frozenset[str]:
    found = set()
    joined = " " + " ".join(words) + " "
    for phrase in not_cues:  # "buccal mucosa" is anatomy, not the buccal route
        joined = joined.replace(f" {phrase} ", " ")
    for cue, name in cues.items():
        if f" {cue} " in joined:
            found.add(name)
    return frozenset(found)


def _negations(words: list[str]) -> tuple[tuple[str, tuple[str, ...]], ...]:
    out = []
    for i, w in enumerate(words):
        if w in NEGATIONS or w.endswith("n't"):
            if w == "no" and i + 1 < len(words) and words[i + 1] in ("more", "less", "longer", "later", "sooner"):
                continue  # "no more than" is a comparator
            if w == "not" and i + 1 < len(words) and words[i + 1] in ("only", "more", "less", "exceeding"):
                continue  # "not only", "not more than"
            # the scope: what follows ("do not give artesunate"), and for "avoid"-like cues, what precedes
            out.append((w, content(words[max(0, i - 2):i + NEGATION_SCOPE])))
    return tuple(out)


def content(words: list[str]) -> tuple[str, ...]:
    """Content words with synonyms mapped and a light stem, for overlap between claim and span."""
    from rag.text.stopwords import CONTENT_STOPWORDS

    out = []
    for w in words:
        w = SYNONYMS.get(w, w)
        if w in CONTENT_STOPWORDS or (len(w) < 2 and not w.isdigit()) or w in NEGATIONS:
            continue
        if len(w) > 4 and w.endswith("s") and not w.endswith("ss"):
            w = w[:-1]
        out.append(SYNONYMS.get(w, w)[:7])
    return tuple(out)


@lru_cache(maxsize=20_000)
def words_of(text: str) -> tuple[str, ...]:
    """The content words of a text, as `facts(text).words` has them, without reading the rest."""
    return content(tokens(_prepare(text)))


_NUMBER_WORDS = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
                 "ten": 10, "twelve": 12, "fourteen": 14, "twenty": 20}
_COUNTED = re.compile(rf"\b({'|'.join(_NUMBER_WORDS)})(?=\s+(?:days?|weeks?|months?|years?|hours?|times|doses?|tablets?)\b)",
                      re.IGNORECASE)


def _prepare(text: str) -> str:
    return _COUNTED.sub(lambda m: str(_NUMBER_WORDS[m.group(1).lower()]), normalise(text))


@lru_cache(maxsize=20_000)
def facts(text: str) -> Facts:
    """The facts of one sentence (cached: evidence spans recur across claims); "three days" counts as 3 days."""
    text = _prepare(text)
    words = tokens(text)
    parts = [p for w in words for p in (w.split("-") if "-" in w else [w])]  # "chloroquine-sensitive"
    drugs = frozenset(SYNONYMS.get(w, w) for w in parts if is_drug(w))
    cue_words = [p for w in words for p in _cue_parts(w)]
    return Facts(quantities(text), _negations(words), tuple(c for c in RESTRICTIONS if c in " ".join(words)),
                 drugs, _cues(cue_words, ROUTES, NOT_ROUTES), _cues(cue_words, POPULATIONS), content(words))


def _cue_parts(word: str) -> list[str]:
    """A compound's route or population: "pregnancy-induced" is about pregnancy, "breast-feeding" is
    breastfeeding; "non-pregnant" is not about pregnant women."""
    if "-" not in word:
        return [word]
    pieces = word.split("-")
    if pieces[0] in ("non", "not", "un", "anti", "pre", "post"):
        return [word]
    return [*pieces, "".join(pieces)]
