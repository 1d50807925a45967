"""In-process vLLM (`vllm.LLM`) for GPU batch jobs: the same prompt as the HTTP generator.

vLLM is an optional extra (`pip install "guideline-qa[vllm]"`); importing it is guarded so
the rest of the service never needs it.
"""

from __future__ import annotations

import time
from collections.abc import Iterator

from rag.answering.generators.base import Generation
from rag.answering.prompt import NOT_IN_SOURCES, STOP, Budget, completion_prompt, fit_passages
from rag.errors import require
from rag.settings import Settings
from rag.types import Passage


def _load_llm(settings: Settings):
    # On a machine without a GPU, serve the model with `vllm serve` and use GQA_GENERATOR=openai instead.
    vllm = require("vllm", "vllm", "GQA_GENERATOR=vllm (in-process vLLM, GPU machines)")
    return vllm, vllm.LLM(model=settings.llm_model, max_model_len=settings.llm_context_tokens,
                          enable_prefix_caching=True)


class VLLMGenerator:
    """Completions from a `vllm.LLM` loaded once in this process (GQA_LLM_MODEL = a local path)."""

    name = "vllm"

    def __init__(self, settings: Settings):
        self.settings = settings
        self._vllm, self.llm = _load_llm(settings)
        self.budget = Budget(settings.llm_context_tokens, settings.llm_max_tokens, settings.llm_max_passages)

    def generate_many(self, items: list[tuple[str, list[Passage]]]) -> list[Generation]:
        """Many questions in one `generate` call: vLLM batches them on the GPU."""
        t0 = time.perf_counter()
        given = [fit_passages(q, ps, self.budget) for q, ps in items]
        prompts = [completion_prompt(q, g) for (q, _), g in zip(items, given)]
        params = self._vllm.SamplingParams(temperature=self.settings.llm_temperature,
                                           max_tokens=self.settings.llm_max_tokens, stop=STOP)
        outputs = self.llm.generate(prompts, params)
        ms = (time.perf_counter() - t0) * 1000 / max(1, len(items))
        out = []
        for g, o in zip(given, outputs):
            text = o.outputs[0].text.strip()
            usage = {"prompt_tokens": len(o.prompt_token_ids or []), "completion_tokens": len(o.outputs[0].token_ids)}
            out.append(Generation(text, tuple(g), self.name, self.settings.llm_model, usage, {"model": ms},
                                  abstain=not text or text.upper().startswith(NOT_IN_SOURCES)))
        return out

    def generate(self, question: str, passages: list[Passage]) -> Generation:
        """One question (a batch of one)."""
        return self.generate_many([(question, passages)])[0]

    def stream(self, question: str, passages: list[Passage]) -> Iterator[str | Generation]:
        """The offline engine does not stream: the whole text, then the Generation."""
        generation = self.generate(question, passages)
        yield generation.text
        yield generation
