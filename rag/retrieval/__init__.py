"""Retrieval: hybrid search, fusion, rerank, named-source boost, demotion, evaluation."""
