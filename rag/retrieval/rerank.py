"""The optional rerank stage: a sentence-transformers CrossEncoder loaded from a local directory."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from rag.errors import ModelNotFound


class CrossEncoderReranker:
    """Scores (question, passage) pairs with a local cross-encoder; higher is more relevant."""

    def __init__(self, path: Path, batch_size: int = 16, max_length: int = 512):
        if not (path / "config.json").is_file():
            raise ModelNotFound(f"{path}: not a cross-encoder model directory (no config.json); models are never downloaded")
        from sentence_transformers import CrossEncoder

        self.name = path.name
        self.batch_size = batch_size
        self._model = CrossEncoder(str(path), device="cpu", max_length=max_length, local_files_only=True)

    def score(self, question: str, texts: list[str]) -> np.ndarray:
        """One relevance score per text, in the input order."""
        if not texts:
            return np.zeros(0, dtype=np.float32)
        scores = self._model.predict([(question, t) for t in texts], batch_size=self.batch_size,
                                     show_progress_bar=False, convert_to_numpy=True)
        scores = np.asarray(scores, dtype=np.float32)
        # A model with several labels (e.g. NLI heads) scores relevance with its last column.
        return scores[:, -1] if scores.ndim == 2 else scores


def load_reranker(model: str | None) -> CrossEncoderReranker | None:
    """The reranker named by settings.reranker_model, or None when it is unset."""
    if not model:
        return None
    path = Path(model).expanduser()
    if not path.is_dir():
        raise ModelNotFound(f"reranker {model!r} is not a local directory; set GQA_RERANKER_MODEL to a cross-encoder folder")
    return CrossEncoderReranker(path)
