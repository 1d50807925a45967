"""Errors raised by Guideline QA, mapped once at each edge (CLI, HTTP).

GuidelineQAError
├── IndexNotFound          no index at the path given (run `gqa ingest` first)
├── IndexBusy              another `gqa ingest` holds the index's writer lock
├── IndexCorrupt           files missing or checksums wrong
├── EmbedderMismatch       the query embedder is not the one that built the index
├── BadDocument            a guideline file could not be read (ingest reports, never aborts)
├── BadRequest             a question, filter or parameter that cannot be served
├── GeneratorUnavailable   the LLM server cannot be reached or keeps failing
├── ModelNotFound          an embedding/reranker model path that does not exist
└── ExtraNotInstalled      an optional extra (ray, vllm, multilingual, langchain) is missing
"""


class GuidelineQAError(Exception):
    """Base class of every error this project raises on purpose."""


class IndexNotFound(GuidelineQAError):
    pass


class IndexBusy(GuidelineQAError):
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


class ExtraNotInstalled(GuidelineQAError):
    """An optional extra is missing; the message carries the pip command that installs it."""

    def __init__(self, extra: str, needed_for: str, package: str | None = None):
        self.extra, self.needed_for = extra, needed_for
        hint = f"pip install 'guideline-qa[{extra}]'" + (f" (or pip install '{package}')" if package else "")
        super().__init__(f"{needed_for} needs the optional extra '{extra}': {hint}")


def require(module: str, extra: str, needed_for: str, package: str | None = None):
    """Import an optional dependency, or raise `ExtraNotInstalled` with its install command."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ExtraNotInstalled(extra, needed_for, package) from exc
