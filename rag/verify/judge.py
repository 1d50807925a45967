"""An optional LLM judge for claims the rules leave undecided (unsupported on word coverage alone).

It sees the claim and the one evidence span and answers SUPPORTED, CONTRADICTED or UNSUPPORTED.
It is asked only when no rule found a number, negation, drug, route or population mismatch, so it
can never overrule one; its "supported" is refused too where the span holds such a mismatch the
rules did not look for (a span below their relatedness bar). When the server fails or times out the
rules' verdict stands, and the judge is not asked again for `PAUSE` seconds (a dead server must not
cost every claim a timeout). Its verdicts name it in their reason and have rule "judge". Turned on by
GQA_VERIFY_JUDGE (rag/wiring.py `build_judge`); the LLM settings: GQA_LLM_BASE_URL, GQA_LLM_MODEL,
GQA_LLM_API, GQA_LLM_API_KEY, GQA_LLM_TIMEOUT.
"""

from __future__ import annotations

import logging
import re
import time

import httpx

from rag.settings import Settings
from rag.verify.facts import facts
from rag.verify.spans import Span
from rag.verify.verdict import CONTRADICTED, HARD, SUPPORTED, Check, check_drugs, check_negation, check_numbers

log = logging.getLogger("gqa.verify")

PAUSE = 30.0  # seconds the judge is not asked after the server failed

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
        self._failed_at: float | None = None  # monotonic time of the last failure

    def ask(self, claim: str, evidence: str) -> str | None:
        """SUPPORTED | CONTRADICTED | UNSUPPORTED, or None when the server fails or answers something else."""
        if self._failed_at is not None and time.monotonic() - self._failed_at < PAUSE:
            return None
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
            log.warning("LLM judge unavailable (%s); the rules' verdict stands, not asking again for %.0f s",
                        type(exc).__name__, PAUSE)
            self._failed_at = time.monotonic()
            return None
        self._failed_at = None
        m = re.search(r"\b(SUPPORTED|CONTRADICTED|UNSUPPORTED)\b", text.upper())
        return m.group(1) if m else None

    def decide(self, claim: str, check: Check) -> Check:
        """The judge's verdict for an undecided claim; a hard rule's verdict is returned unchanged, unasked."""
        if check.rule in HARD or check.span is None:
            return check
        said = self.ask(claim, check.span.quote)
        by = f"the LLM judge ({self.settings.llm_model})"
        if said == "SUPPORTED" and not hard_mismatch(claim, check.span):
            return Check(SUPPORTED, f"{by} found that the evidence states this; the rules found no number, negation or "
                         f"drug mismatch but could not decide ({check.reason})", check.span, check.coverage, "judge")
        if said == "CONTRADICTED":
            return Check(CONTRADICTED, f"{by} found that the evidence says otherwise; the rules could not decide "
                         f"({check.reason})", check.span, check.coverage, "judge")
        return check


def hard_mismatch(claim: str, span: Span) -> bool:
    """A number, negation or drug mismatch between the claim and the span (run even where the rules did not look)."""
    claim_facts = facts(claim)
    return any(rule(claim_facts, span.facts) for rule in (check_drugs, check_numbers, check_negation))
