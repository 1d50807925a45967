"""WordNet 3.0 read straight from its database files (Debian `wordnet-base`: /usr/share/wordnet).

The format is simple and documented (wndb(5)): `index.POS` maps a lemma to the byte offsets of its
synsets in `data.POS`, most frequent sense first; a `data.POS` line starting at that offset lists the
synset's lemmas after its lexicographer file number. `POS.exc` holds irregular inflections. Reading
them directly spares a dependency (nltk) for the one thing retrieval needs: a lemma's synonyms.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from rag.errors import BadRequest

DEFAULT_DIR = Path("/usr/share/wordnet")
POS_FILES = {"n": "noun", "v": "verb", "a": "adj", "r": "adv"}
# Lexicographer files (lexnames(5)) whose synsets name clinical things: acts (procedures), artifacts (drugs,
# devices), the body, foods, natural phenomena and processes, states (diseases, symptoms), substances.
CLINICAL_LEXFILES = frozenset({4, 6, 8, 13, 19, 22, 26, 27})
# WordNet's morphy detachment rules: inflected ending -> base ending.
_DETACH = {
    "n": (("s", ""), ("ses", "s"), ("xes", "x"), ("zes", "z"), ("ches", "ch"), ("shes", "sh"), ("men", "man"),
          ("ies", "y")),
    "v": (("s", ""), ("ies", "y"), ("es", "e"), ("es", ""), ("ed", "e"), ("ed", ""), ("ing", "e"), ("ing", "")),
    "a": (("er", ""), ("est", ""), ("er", "e"), ("est", "e")),
    "r": (),
}


@dataclass(frozen=True)
class Synset:
    """One sense: its lexicographer file number and its lemmas (underscores join multi-word lemmas)."""

    offset: int
    lexfile: int
    lemmas: tuple[str, ...]


@dataclass(eq=False)  # compared and hashed by identity: one object per directory, a key of the synset cache
class WordNet:
    """Lemma -> synsets for the parts of speech loaded; data lines are read on demand by offset."""

    dir: Path
    index: dict[str, dict[str, tuple[int, ...]]]  # pos -> lemma -> synset offsets, most frequent sense first
    exceptions: dict[str, dict[str, tuple[str, ...]]]  # pos -> inflected form -> base forms
    _fds: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def base_forms(self, word: str, pos: str) -> list[str]:
        """The lemmas `word` may be an inflection of (itself first), as WordNet's morphy finds them."""
        index = self.index.get(pos, {})
        forms = [word] if word in index else []
        forms += [b for b in self.exceptions.get(pos, {}).get(word, ()) if b in index]
        for ending, base in _DETACH[pos]:
            if word.endswith(ending) and len(word) > len(ending) + 2:
                candidate = word[: len(word) - len(ending)] + base
                if candidate in index:
                    forms.append(candidate)
        return list(dict.fromkeys(forms))

    def synsets(self, lemma: str, pos: str) -> list[Synset]:
        """The senses of a lemma (lower case, words joined by '_'), most frequent first."""
        return [self._synset(pos, offset) for offset in self.index.get(pos, {}).get(lemma, ())]

    def _synset(self, pos: str, offset: int) -> Synset:
        return _read_synset(self, pos, offset)

    def _fd(self, pos: str) -> int:
        with self._lock:
            if pos not in self._fds:
                self._fds[pos] = os.open(self.dir / f"data.{POS_FILES[pos]}", os.O_RDONLY)
            return self._fds[pos]


@lru_cache(maxsize=8192)
def _read_synset(wordnet: WordNet, pos: str, offset: int) -> Synset:
    fd = wordnet._fd(pos)
    chunk, line = 4096, b""
    while b"\n" not in line:  # pread: no shared file position, so threads may read at once
        data = os.pread(fd, chunk, offset + len(line))
        if not data:
            break
        line += data
    fields = line.split(b"\n", 1)[0].decode("utf-8", "replace").split()
    # offset lex_filenum ss_type w_cnt(hex) [word lex_id]*w_cnt ...
    count = int(fields[3], 16)
    lemmas = tuple(fields[4 + 2 * i].lower() for i in range(count))
    return Synset(offset, int(fields[1]), tuple(_plain(lemma) for lemma in lemmas))


def _plain(lemma: str) -> str:
    # Adjective lemmas may carry a syntactic marker: "big(a)", "elect(ip)".
    return lemma.split("(", 1)[0]


@lru_cache(maxsize=4)
def load_wordnet(directory: Path = DEFAULT_DIR, parts: str = "n") -> WordNet:
    """WordNet's index for the parts of speech in `parts` ("n", "nav", ...), loaded once per process."""
    directory = Path(directory)
    index: dict[str, dict[str, tuple[int, ...]]] = {}
    exceptions: dict[str, dict[str, tuple[str, ...]]] = {}
    for pos in parts:
        name = POS_FILES[pos]
        path = directory / f"index.{name}"
        if not path.is_file():
            raise BadRequest(f"{path}: WordNet database not found; install it (`apt-get install -y wordnet-base`) "
                             "or turn lexical_synonyms off")
        index[pos] = _read_index(path)
        exc = directory / f"{name}.exc"
        exceptions[pos] = _read_exceptions(exc) if exc.is_file() else {}
    return WordNet(directory, index, exceptions)


def _read_index(path: Path) -> dict[str, tuple[int, ...]]:
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            if line.startswith(" "):  # the licence header lines start with two spaces
                continue
            fields = line.split()
            # lemma pos synset_cnt p_cnt [ptr_symbol]*p_cnt sense_cnt tagsense_cnt [synset_offset]*synset_cnt
            count, pointers = int(fields[2]), int(fields[3])
            out[fields[0]] = tuple(int(o) for o in fields[6 + pointers: 6 + pointers + count])
    return out


def _read_exceptions(path: Path) -> dict[str, tuple[str, ...]]:
    out = {}
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            fields = line.split()
            if len(fields) >= 2:
                out[fields[0]] = tuple(fields[1:])
    return out
