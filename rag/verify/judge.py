"""An optional LLM judge for claims the rules leave undecided (unsupported on word coverage alone).

It sees the claim and the one evidence span and answers SUPPORTED, CONTRADICTED or UNSUPPORTED.
It is asked only when no rule found a number, negation, drug, route or population mismatch, so it
can never overrule one; when the server fails the rules' verdict stands. Settings: the LLM ones
(GQA_LLM_BASE_URL, GQA_LLM_MODEL, GQA_LLM_API, GQA_LLM_API_KEY, GQA_LLM_TIMEOUT).
"""

from __future__ import annotations

import logging
import re

import httpx

from rag.settings import Settings
from rag.verify.verdict import CONTRADICTED, HARD, SUPPORTED, Check

log = logging.getLogger("gqa.verify")

PROMPT = """You check statements against a clinical guideline excerpt. Answer with one word:
SUPPORTED if the excerpt states the statement, CONTRADICTED if the excerpt says otherwise,
UNSUPPORTED if the excerpt does not say.

Excerpt: {evidence}
Statement: {claim}
Answer:"""


class Judge:
    """Asks an OpenAI-compatible server (completions or chat) for a one-word verdict."""

    def __init__(self, settings: Settings, client: httpx.Client | None = None):
        if not settings.llm_base_url:
            raise ValueError("the LLM judge needs GQA_LLM_BASE_URL (an OpenAI-compatible server)")
        self.settings = settings
        self.base = settings.llm_base_url[0].rstrip("/")
        self.client = client or httpx.Client(timeout=settings.llm_timeout)

    def ask(self, claim: str, evidence: str) -> str | None:
        """SUPPORTED | CONTRADICTED | UNSUPPORTED, or None when the server fails or answers something else."""
        prompt = PROMPT.format(evidence=" ".join(evidence.split()), claim=claim)
        s = self.settings
        headers = {"Authorization": f"Bearer {s.llm_api_key}"}
        try:
            if s.llm_api == "chat":
                body = {"model": s.llm_model, "messages": [{"role": "user", "content": prompt}], "max_tokens": 4,
                        "temperature": 0}
                reply = self.client.post(f"{self.base}/chat/completions", json=body, headers=headers)
                reply.raise_for_status()
                text = reply.json()["choices"][0]["message"]["content"]
            else:
                body = {"model": s.llm_model, "prompt": prompt, "max_tokens": 4, "temperature": 0}
                reply = self.client.post(f"{self.base}/completions", json=body, headers=headers)
                reply.raise_for_status()
                text = reply.json()["choices"][0]["text"]
        except (httpx.HTTPError, KeyError, IndexError, ValueError) as exc:
            log.warning("LLM judge unavailable (%s); the rules' verdict stands", type(exc).__name__)
            return None
        m = re.search(r"\b(SUPPORTED|CONTRADICTED|UNSUPPORTED)\b", text.upper())
        return m.group(1) if m else None

    def decide(self, claim: str, check: Check) -> Check:
        """The judge's verdict for an undecided claim; a hard rule's verdict is returned unchanged."""
        if check.rule in HARD or check.span is None:
            return check
        said = self.ask(claim, check.span.quote)
        if said == "SUPPORTED":
            return Check(SUPPORTED, "an LLM judge found the evidence states this (the rules found no mismatch)",
                         check.span, check.coverage, "judge")
        if said == "CONTRADICTED":
            return Check(CONTRADICTED, "an LLM judge found the evidence says otherwise", check.span, check.coverage,
                         "judge")
        return check
