"""The rerank stage, with a tiny cross-encoder the test builds (no reranker ships offline), over the
small index with the fake embedder (the order under test is the cross-encoder's)."""

from __future__ import annotations

import pytest

from rag.embedding.embedder import default_model_path
from rag.errors import ModelNotFound
from rag.index.reader import LiveIndex
from rag.retrieval.rerank import load_reranker
from rag.retrieval.retriever import Retriever
from rag.settings import Settings

QUESTION = "artesunate dose for children with severe malaria"


@pytest.fixture(scope="module")
def tiny_cross_encoder(tmp_path_factory):
    """A randomly initialised one-layer BERT with one relevance label and MiniLM's vocabulary."""
    import torch
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    path = tmp_path_factory.mktemp("cross-encoder")
    tokenizer = BertTokenizerFast(vocab_file=str(default_model_path() / "vocab.txt"), do_lower_case=True)
    tokenizer.save_pretrained(path)
    config = BertConfig(vocab_size=tokenizer.vocab_size, hidden_size=32, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=64, max_position_embeddings=512, num_labels=1)
    torch.manual_seed(7)
    BertForSequenceClassification(config).save_pretrained(path)
    return path


def test_rerank_orders_the_fused_head_by_the_cross_encoder(fake_index, fake_embedder, tiny_cross_encoder):
    index, embedder = fake_index, fake_embedder
    settings = Settings(index=index, reranker_model=str(tiny_cross_encoder), rerank_candidates=5, dedup_threshold=1.01)
    reranker = load_reranker(settings.reranker_model)
    plain = Retriever(LiveIndex(index), embedder, settings).search(QUESTION, k=5)
    reranked = Retriever(LiveIndex(index), embedder, settings, reranker=reranker).search(QUESTION, k=5)
    # The same five fused candidates, now in the order of scores computed here, independently.
    assert {p.chunk_id for p in reranked.passages} == {p.chunk_id for p in plain.passages}
    reader = LiveIndex(index).get()
    rows = [reader.chunk_by_chunk_id(p.chunk_id) for p in plain.passages]
    scores = dict(zip([r.chunk_id for r in rows], reranker.score(QUESTION, [f"{r.header}\n{r.text}" for r in rows])))
    assert [p.chunk_id for p in reranked.passages] == sorted(scores, key=lambda c: -scores[c])
    assert [p.chunk_id for p in reranked.passages] != [p.chunk_id for p in plain.passages]
    assert reranked.passages[0].score == pytest.approx(float(max(scores.values())), abs=1e-5)
    assert reranked.timings["rerank"] > 0 and plain.timings["rerank"] == 0


def test_reranker_setting_must_be_a_local_directory(tmp_path):
    assert load_reranker(None) is None
    with pytest.raises(ModelNotFound):
        load_reranker(str(tmp_path / "missing"))
    with pytest.raises(ModelNotFound):
        load_reranker(str(tmp_path))  # a folder, but no model in it
