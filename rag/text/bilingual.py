"""French/Spanish/Portuguese -> English words from Debian's FreeDict dictionaries, read at run time.

The dictionaries are the `dict-freedict-{fra,spa,por}-eng` packages: dictd files under /usr/share/dictd, an
`.index` (headword, base64 offset, base64 length) and a gzip-compatible `.dict.dz`. They are GPL, so the
project never copies them: each process parses the installed files once (`load_dictionary`, cached).

`english_words` maps a question's words to English: multi-word entries first (longest match), then single
words, each tried as written and with plural/gender endings stripped; a word the dictionary lacks is tried
as a cognate (pneumonie -> pneumonia, infección -> infection, ibuprofeno -> ibuprofen), and a cognate is
only ever kept when the corpus has it. With `df` (chunks holding a word, e.g. `IndexReader.chunks_with_term`)
every English word must occur in the corpus, which drops the dictionary's archaic senses ("bairn", "ague").
"""

from __future__ import annotations

import gzip
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rag.text.stopwords import CONTENT_STOPWORDS, QUERY_STOPWORDS
from rag.text.words import fold

DICT_DIR = Path("/usr/share/dictd")
FILES = {"fr": "freedict-fra-eng", "es": "freedict-spa-eng", "pt": "freedict-por-eng"}
APT_PACKAGES = "dict-freedict-fra-eng dict-freedict-spa-eng dict-freedict-por-eng"
PER_ENTRY = 2  # English words kept per matched headword, from its first sense that the corpus has
_B64 = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}
_SENSE_NUMBER = re.compile(r"^\s*\d+\.\s*")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>")
_ENGLISH = re.compile(r"[a-z][a-z-]*(?: [a-z][a-z-]*){0,2}")  # at most three plain words
_ELISION = re.compile(r"\b(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)'")
_TOKEN = re.compile(r"[a-z0-9]+")

# Endings a word may carry that its headword does not: (ending, replacement), tried in order
# when the word as written is neither a headword nor a corpus word.
_INFLECTIONS = {
    "fr": (("eaux", "eau"), ("aux", "al"), ("ees", "e"), ("ee", "e"), ("es", "e"), ("s", ""), ("x", "")),
    "es": (("ces", "z"), ("es", ""), ("s", ""), ("as", "o"), ("a", "o")),
    "pt": (("oes", "ao"), ("aes", "ao"), ("ais", "al"), ("eis", "el"), ("ns", "m"), ("es", ""), ("s", ""),
           ("as", "o"), ("a", "o")),
}
# Regular spelling correspondences of Latin-rooted medical words: a guess, kept only if the corpus has it.
_COGNATES = {
    "fr": (("ie", "ia"), ("ite", "itis"), ("ose", "osis"), ("ique", "ic"), ("aire", "ary"), ("eux", "ous"),
           ("oire", "ory"), ("ante", "ent"), ("ant", "ent"),
           ("isme", "ism"), ("ite", "ity"), ("ene", "en"), ("e", "")),
    "es": (("cion", "tion"), ("ciones", "tions"), ("dad", "ty"), ("encia", "ency"), ("oria", "ory"), ("orio", "ory"),
           ("ente", "ent"), ("ante", "ant"), ("ico", "ic"), ("ica", "ic"), ("oso", "ous"),
           ("ina", "ine"), ("ismo", "ism"), ("o", ""), ("a", ""), ("e", "")),
    "pt": (("cao", "tion"), ("coes", "tions"), ("dade", "ty"), ("encia", "ency"), ("oria", "ory"), ("orio", "ory"),
           ("ente", "ent"), ("ante", "ant"), ("ico", "ic"), ("ica", "ic"), ("oso", "ous"),
           ("ite", "itis"), ("ose", "osis"), ("ina", "ine"), ("ismo", "ism"), ("o", ""), ("a", ""),
           ("e", "")),
}
# Romance spelling -> English spelling of Greek-rooted drug and disease names, one substitution tried at a time.
_SPELLINGS = (("f", "ph"), ("t", "th"), ("i", "y"), ("c", "k"))
MIN_COGNATE = 5  # shorter guesses meet too many unrelated English words (the corpus check is a prefix match)


@dataclass(frozen=True)
class Dictionary:
    """One language's headwords (folded, lower case) -> senses (each a tuple of English words), in order."""

    entries: dict[str, tuple[tuple[str, ...], ...]]
    longest: int  # most words in one headword


def key(text: str) -> str:
    """A headword or question phrase as the tables are keyed: folded, lower case, elisions and hyphens gone."""
    # ñ is a letter of its own: folded to n, "años" (years) would meet "ano" (anus).
    text = fold(text.replace("ñ", "ny").replace("Ñ", "NY")).casefold()
    text = _ELISION.sub(" ", text)
    return " ".join(_TOKEN.findall(text))


def _decode(b64: str) -> int:
    n = 0
    for ch in b64:
        n = n * 64 + _B64[ch]
    return n


def _senses(body: str) -> list[tuple[str, ...]]:
    """The senses of one dictd entry: each line after the headword, its English words split at commas."""
    out = []
    for line in body.splitlines()[1:]:
        line = _PARENS.sub(" ", _SENSE_NUMBER.sub("", line)).strip().casefold()
        words = []
        for word in re.split(r"[,;]", line):
            word = re.sub(r"^(?:to|a|an|the) ", "", " ".join(word.split()))
            if _ENGLISH.fullmatch(word) and word not in words:
                words.append(word)
        if words:
            out.append(tuple(words))
    return out


def parse(index_text: str, data: bytes) -> Dictionary:
    """A dictionary from a dictd `.index` text and its uncompressed `.dict` bytes."""
    entries: dict[str, list[tuple[str, ...]]] = {}
    for line in index_text.splitlines():
        parts = line.split("\t")
        if len(parts) < 3 or parts[0].startswith("00database"):
            continue
        start, size = _decode(parts[1]), _decode(parts[2])
        senses = _senses(data[start:start + size].decode("utf-8", "replace"))
        k = key(parts[0])
        if k and senses:
            entries.setdefault(k, []).extend(senses)
    longest = max((k.count(" ") + 1 for k in entries), default=1)
    return Dictionary({k: tuple(v) for k, v in entries.items()}, longest)


def load_dictionary(language: str, directory: Path | None = None) -> Dictionary | None:
    """The installed FreeDict dictionary for 'fr', 'es' or 'pt' (under DICT_DIR unless `directory` says),
    parsed once per process; None when it is not installed."""
    return _load(language, str(directory or DICT_DIR))


@lru_cache(maxsize=16)
def _load(language: str, directory: str) -> Dictionary | None:
    name = FILES.get(language)
    if name is None:
        return None
    index, data = Path(directory) / f"{name}.index", Path(directory) / f"{name}.dict.dz"
    if not (index.is_file() and data.is_file()):
        return None
    with gzip.open(data) as fh:  # dictzip is gzip with a random-access table: plain gzip reads it whole
        raw = fh.read()
    return parse(index.read_text(encoding="utf-8"), raw)


def _variants(word: str, rules: tuple[tuple[str, str], ...]) -> list[str]:
    """`word`, then the forms its endings' rules give (each rule once, longest-first as listed)."""
    out = [word]
    for ending, repl in rules:
        if ending and word.endswith(ending) and len(word) - len(ending) >= 3:
            form = word[: len(word) - len(ending)] + repl
            if form not in out:
                out.append(form)
    return out


def _lookup(words: list[str], tables: list[Dictionary], rules: tuple[tuple[str, str], ...],
            inflected: bool) -> tuple[tuple[str, ...], ...] | None:
    """The senses of the phrase `words` in the first table that has it, as written or (`inflected`) with
    its last word's ending stripped."""
    head = " ".join(words[:-1])
    for last in _variants(words[-1], rules)[1:] if inflected else [words[-1]]:
        for table in tables:
            senses = table.entries.get(f"{head} {last}".strip())
            if senses:
                return senses
    return None


def _choose(senses: tuple[tuple[str, ...], ...], corpus: _Corpus, per_entry: int) -> list[str]:
    """Up to `per_entry` English words of the first sense that has any in the corpus."""
    for sense in senses:
        kept = [w for w in sense if corpus.has(w)][:per_entry]
        if kept:
            return kept
    return []


@lru_cache(maxsize=100_000)
def _df_cached(df: Callable[[str], int], word: str) -> int:
    # Keyed by the callable too: a new index version (a new reader) asks again.
    return df(word)


class _Corpus:
    """`df` memoised for one question; everything passes when there is no `df`."""

    def __init__(self, df: Callable[[str], int] | None):
        self.df, self.seen = df, {}

    def has(self, phrase: str) -> bool:
        if self.df is None:
            return True
        words = [w for w in phrase.split() if w not in QUERY_STOPWORDS] or phrase.split()
        for w in words:
            if w not in self.seen:
                self.seen[w] = _df_cached(self.df, w) > 0
            if not self.seen[w]:
                return False
        return True


def _known(word: str, corpus: _Corpus) -> bool:
    """Whether the corpus has the word as written (only long words: the check is a prefix match)."""
    return corpus.df is not None and len(word) >= MIN_COGNATE and corpus.has(word)


def _cognate(word: str, language: str, corpus: _Corpus, spellings: bool = False) -> str | None:
    """An English spelling of a Latin-rooted word that the corpus holds, if one of the rules gives it.

    `spellings`: also try the word with one Greek-rooted English spelling put back (dexametasona ->
    dexamethason-, fenobarbital -> phenobarbital) before the ending rules."""
    if corpus.df is None or len(word) < MIN_COGNATE or word.isdigit():
        return None
    forms = [word]
    if spellings:
        forms += [word[:i] + eng + word[i + len(rom):] for rom, eng in _SPELLINGS
                  for i in range(1, len(word)) if word.startswith(rom, i) and not word.startswith(eng, i)]
        forms += [eng + word[len(rom):] for rom, eng in _SPELLINGS[:2] if word.startswith(rom)]
    for form in forms:
        if form != word and corpus.has(form):
            return form
        for ending, repl in _COGNATES[language]:
            if ending and form.endswith(ending):
                guess = form[: len(form) - len(ending)] + repl
                if len(guess) >= MIN_COGNATE and corpus.has(guess):
                    return guess
    return None


def english_words(question: str, language: str, tables: list[Dictionary], df: Callable[[str], int] | None = None,
                  cognates: bool = True, per_entry: int = PER_ENTRY) -> tuple[list[str], list[str]]:
    """English words for the question's dictionary phrases (longest first) and the words left untranslated.

    `tables`: the question's language's dictionary first, then others to try for a word it lacks (Spanish
    and Portuguese share much vocabulary that one of the two small dictionaries misses)."""
    words = key(question).split()
    rules = _INFLECTIONS[language]
    skip = CONTENT_STOPWORDS | QUERY_STOPWORDS  # not LANGUAGE_MARKERS: they hold content words ("enfant", "días")
    corpus = _Corpus(df)
    english: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(words):
        matched = 0
        for n in range(min(max(t.longest for t in tables), len(words) - i), 0, -1):
            phrase = words[i:i + n]
            if n == 1 and (phrase[0] in skip or phrase[0].isdigit() or len(phrase[0]) < 3):
                break
            if all(w in skip for w in phrase):  # "de la" -> "of the": nothing to search with
                continue
            senses = _lookup(phrase, tables, rules, inflected=False) or _lookup(phrase, tables, rules, inflected=True)
            if not senses and n == 1 and _known(phrase[0], corpus):
                break  # a word the corpus has as written ("patients", "ketamine"): kept untranslated below
            kept = _choose(senses or (), corpus, per_entry)
            if kept:
                english.extend(w for w in kept if w not in english)
                matched = n
                break
        if matched:
            i += matched
            continue
        word = words[i]
        guess = None if not cognates or word in skip or _known(word, corpus) else _cognate(word, language, corpus)
        if guess:
            english.append(guess)
        elif word not in skip and (len(word) > 2 or word.isdigit()):
            rest.append(word)  # mostly drug names, units and numbers: the same in English
        i += 1
    return english, rest


def answerability_words(question: str, language: str, tables: list[Dictionary], df: Callable[[str], int]) -> str:
    """The words to judge whether the English corpus answers a fr/es/pt question: the dictionary's English,
    cognates for names ("ibuprofeno" -> ibuprofen), and the untranslated rest without the language's ordinary
    words that the corpus lacks ("talon", "criança"): those are absent because they are not English, not
    because the corpus misses what they name. A name no rule maps ("valaciclovir") is kept."""
    english, rest = english_words(question, language, tables, df)
    corpus = _Corpus(df)
    rules = _INFLECTIONS[language]
    kept: list[str] = []
    for word in rest:
        if word.isdigit() or corpus.has(word):
            kept.append(word)
        elif guess := _cognate(word, language, corpus, spellings=True):
            kept.append(guess)
        elif not (_lookup([word], tables, rules, inflected=False) or _lookup([word], tables, rules, inflected=True)):
            kept.append(word)
    return " ".join(dict.fromkeys(english + kept))
