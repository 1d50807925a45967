"""Answer generators: extractive (default), an OpenAI-compatible server, in-process vLLM."""

from rag.answering.generators.base import Generation, Generator

__all__ = ["Generation", "Generator"]
