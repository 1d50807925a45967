"""Guideline files -> pages -> chunks -> embeddings -> an index on disk."""
