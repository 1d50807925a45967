"""Words: the one word splitter for claims and questions, and the one accent fold."""

from __future__ import annotations

import re
import unicodedata

from rag.text.stopwords import CONTENT_STOPWORDS

_TOKEN = re.compile(r"\d+(?:[.,]\d+)?|[^\W\d_]+", re.UNICODE)


def content_words(text: str) -> list[str]:
    """Lower-cased content words and numbers, with a light plural strip so 'doses' meets 'dose'."""
    out = []
    for tok in _TOKEN.findall(text.lower()):
        if tok in CONTENT_STOPWORDS or (len(tok) < 2 and not tok.isdigit()):
            continue
        if len(tok) > 4 and tok.endswith("s") and not tok.endswith("ss"):
            tok = tok[:-1]
        out.append(tok.replace(",", "."))
    return out


def fold(text: str) -> str:
    """`text` without accents (case kept), so 'Médecins', 'fièvre' match 'Medecins', 'fievre'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).replace("’", "'")
