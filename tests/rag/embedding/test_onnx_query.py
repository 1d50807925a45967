"""The ONNX Runtime query encoder: same vectors as PyTorch, and no change to process-wide threads."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from rag.embedding.embedder import load_embedder
from rag.embedding.onnx_query import onnx_query_encoder

QUERIES = [
    "artesunate dose severe malaria <20 kg",
    "when does a child with a cough need oxygen?",
    "SpO2 < 90%",
    "x",
    "Quelle est la dose d'amoxicilline pour une pneumonie chez l'enfant de 2 ans ? " * 20,  # past 256 tokens
]


@pytest.fixture(scope="module")
def serving_embedder():
    return load_embedder(query_threads=1)


def test_onnx_query_vectors_equal_pytorch(serving_embedder, embedder):
    assert serving_embedder._encode_query is not None, "onnxruntime is a dependency: the fast path must load"
    for query in QUERIES:
        fast = serving_embedder.embed_query(query)
        reference = embedder.embed_query(query)
        assert fast.dtype == np.float32 and fast.shape == reference.shape
        assert float(np.dot(fast, reference)) > 0.9999
        assert abs(float(np.linalg.norm(fast)) - 1.0) < 1e-5


def test_loading_for_queries_leaves_torch_threads_alone():
    before = torch.get_num_threads()
    load_embedder(query_threads=1)
    assert torch.get_num_threads() == before


def test_encoder_refuses_a_model_it_cannot_reproduce(embedder):
    class ClsPooling(torch.nn.Module):  # a stack other than Transformer -> mean Pooling -> Normalize
        pass

    stack = [embedder._model[0], ClsPooling()]
    assert onnx_query_encoder(stack, 256, 1) is None
