"""The one language detector, for questions and documents alike: 'en', 'fr', 'es' or 'pt'.

Function words that one language uses often and the others rarely, plus spelling that only one
has (French accents and elisions; Spanish ¿ ¡ ñ -ción; Portuguese ã õ -ção), weighed against
English function words. A short question needs only two such signs; English wins ties, since
the corpus and most questions are English.
"""

from __future__ import annotations

import re

from rag.text.stopwords import ENGLISH_MARKERS, LANGUAGE_MARKERS

WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
_SPELLING = {  # (pattern, weight per match)
    # ë ï œ and -ée(s) are French only among the four ("aiguë", "diarrhée"); é alone is not.
    "fr": (re.compile(r"[èêàùâîôûçëïœ]|ées?\b|\b[ldjq]'|\bqu'"), 2),
    "es": (re.compile(r"[¿¡ñ]|ción\b"), 3),
    "pt": (re.compile(r"[ãõ]|ção\b|ções\b"), 3),
}
MAX_CHARS = 50_000  # a document's first pages tell its language


def detect_language(text: str) -> str:
    """'fr', 'es', 'pt' or 'en' (the default when there are too few signs to tell)."""
    text = text[:MAX_CHARS]
    folded = text.casefold()
    words = [w.casefold() for w in WORD.findall(text)]
    words = [w.split("'")[-1] if "'" in w else w for w in words]
    scores = {lang: sum(w in LANGUAGE_MARKERS[lang] for w in words) + weight * len(pattern.findall(folded))
              for lang, (pattern, weight) in _SPELLING.items()}
    english = sum(w in ENGLISH_MARKERS for w in words)
    best = max(scores, key=lambda lang: scores[lang])  # ties: fr, then es, then pt
    if scores[best] <= english or scores[best] < 2:
        return "en"
    return best
