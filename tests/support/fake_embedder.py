"""A small deterministic embedder for unit tests that need vectors but not meaning.

Hashed bag of words: each lower-cased word adds 1 to one of `dim` buckets, and the vector is
normalised, so texts sharing words have a positive cosine and texts sharing none are near 0.
Token counts come from MiniLM's own tokenizer.json (the `tokenizers` library, no torch), and
`tokenizer_file` names it for ingest's parse workers, so chunks are cut exactly as with the
real model. Its `info` names another embedder: an index built with it is refused by the real one.
"""

from __future__ import annotations

import hashlib
import re

import numpy as np

from rag.embedding.embedder import EmbedderInfo, default_model_path

NAME = "fake-hashed-bag-of-words"
_WORD = re.compile(r"\w+")


class FakeEmbedder:
    """The Embedder protocol (info, embed_documents, embed_query, count_tokens) without a model."""

    def __init__(self, dim: int = 64, max_tokens: int = 256):
        from tokenizers import Tokenizer

        self.tokenizer_file = str(default_model_path() / "tokenizer.json")
        self._tokenizer = Tokenizer.from_file(self.tokenizer_file)
        self._tokenizer.no_truncation()
        self._tokenizer.no_padding()
        fingerprint = hashlib.sha256(f"{NAME}/{dim}".encode()).hexdigest()[:16]
        self.info = EmbedderInfo(name=NAME, dim=dim, max_tokens=max_tokens, normalized=True, fingerprint=fingerprint)

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self.info.dim, dtype=np.float32)
        for word in _WORD.findall(text.casefold()):
            bucket = int.from_bytes(hashlib.blake2b(word.encode(), digest_size=4).digest(), "little")
            vector[bucket % self.info.dim] += 1.0
        norm = float(np.linalg.norm(vector))
        return vector / norm if norm else vector

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """One normalised row per text, in order."""
        if not texts:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        """The same hashing as documents: no query prefix."""
        return self._vector(text)

    def count_tokens(self, text: str) -> int:
        """MiniLM word pieces, special tokens included (what the real embedder counts)."""
        return len(self._tokenizer.encode(text).ids)
