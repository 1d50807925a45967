"""Errors raised by Guideline QA, mapped once at each edge (CLI, HTTP).

GuidelineQAError
├── IndexNotFound          no index at the path given (run `gqa ingest` first)
├── IndexCorrupt           files missing or checksums wrong
├── EmbedderMismatch       the query embedder is not the one that built the index
├── BadDocument            a guideline file could not be read (ingest reports, never aborts)
├── BadRequest             a question, filter or parameter that cannot be served
├── GeneratorUnavailable   the LLM server cannot be reached or keeps failing
└── ModelNotFound          an embedding/reranker model path that does not exist
"""


class GuidelineQAError(Exception):
    """Base class of every error this project raises on purpose."""


class IndexNotFound(GuidelineQAError):
    pass


class IndexCorrupt(GuidelineQAError):
    pass


class EmbedderMismatch(GuidelineQAError):
    pass


class BadDocument(GuidelineQAError):
    pass


class BadRequest(GuidelineQAError):
    pass


class GeneratorUnavailable(GuidelineQAError):
    pass


class ModelNotFound(GuidelineQAError):
    pass
