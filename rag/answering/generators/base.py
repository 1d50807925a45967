"""The `Generator` protocol and its factories by setting value (`rag.wiring.build_generator` picks one).

`stream` yields text pieces as they arrive and, last, the complete `Generation`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from rag.settings import Settings
from rag.types import Passage


@dataclass(frozen=True)
class Generation:
    """A generator's raw answer: text with [n] markers over the passages it was given."""

    text: str
    passages: tuple[Passage, ...]  # exactly the passages numbered 1..n in the prompt
    generator: str
    model: str | None = None
    usage: dict[str, int] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)  # ms: prompt, model, ...
    notices: tuple[str, ...] = ()
    abstain: bool = False  # the model itself said the sources do not answer
    # Each line is a verbatim quote cited by its last marker: any other `[2]` in it is the source's footnote.
    quoted_lines: bool = False


class Generator(Protocol):
    name: str

    def generate(self, question: str, passages: list[Passage]) -> Generation: ...

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Generation]: ...


@runtime_checkable
class BatchGenerator(Protocol):
    """A generator that answers many questions in one call (its engine batches them)."""

    def generate_many(self, items: list[tuple[str, list[Passage]]]) -> list[Generation]: ...


def _extractive(settings: Settings) -> Generator:
    from rag.answering.generators.extractive import ExtractiveGenerator

    return ExtractiveGenerator(settings)


def _openai(settings: Settings) -> Generator:
    from rag.answering.generators.openai_http import OpenAIGenerator

    return OpenAIGenerator(settings)


def _vllm(settings: Settings) -> Generator:
    from rag.answering.generators.vllm_local import VLLMGenerator

    return VLLMGenerator(settings)


FACTORIES: dict[str, Callable[[Settings], Generator]] = {"extractive": _extractive, "openai": _openai, "vllm": _vllm}

