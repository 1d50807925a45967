"""Guideline QA core: index format, retrieval, prompting, generation, citations."""
