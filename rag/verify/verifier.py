"""The verifier: any text (or one answer) -> claims -> the best evidence spans -> a verdict per claim.

For free text each claim retrieves its own passages (the retriever, k=`K`); for an answer the
claim is checked against the passages given to the generator, the ones it cites first.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rag.types import Evidence, Filters, Passage, VerifiedJSON
from rag.verify.claims import split_claims
from rag.verify.facts import facts
from rag.verify.source import quote_on_source
from rag.verify.spans import best_spans
from rag.verify.verbatim import whole_quote
from rag.verify.verdict import HARD, SUPPORTED, UNSUPPORTED, Check, decide, where

if TYPE_CHECKING:
    from rag.retrieval.retriever import Retriever
    from rag.verify.judge import Judge

K = 8  # passages retrieved per claim
SPANS = 5  # best spans judged per claim
THREADS = 3  # claims verified at once


@dataclass(frozen=True)
class Verified:
    """One claim, its verdict, the reason and the span(s) it was checked against."""

    claim: str
    verdict: str
    reason: str
    evidence: tuple[Evidence, ...] = ()
    coverage: float = 0.0
    rule: str = "none"
    timings: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """{"text", "verdict", "reason", "evidence": [passage fields + "quote"]}."""
        return VerifiedJSON.model_validate(self, from_attributes=True).model_dump()


def _verified(claim: str, check: Check) -> Verified:
    evidence = (Evidence(check.span.passage, check.span.quote),) if check.span else ()
    return Verified(claim, check.verdict, check.reason, evidence, round(check.coverage, 3), check.rule)


def verify_against(claim: str, passages: list[Passage], judge: Judge | None = None) -> Verified:
    """The verdict of one claim against these passages only (earlier passages win ties); a claim the rules
    leave unsupported without a hard (number, negation, drug) mismatch goes to `judge` when given. A claim that
    is a whole statement of a passage, word for word (`whole_quote`), is supported before any rule is tried."""
    for passage in passages:
        quote = whole_quote(claim, passage.text)
        if quote is not None:  # the guideline's own words, a whole statement of it: nothing to compare
            return Verified(claim, SUPPORTED, f"the guideline says this in these words{where(passage)}",
                            (Evidence(passage, quote),), 1.0, "verbatim")
    claim_facts = facts(claim)
    check = decide(claim_facts, best_spans(claim_facts, passages, SPANS))
    if judge is not None and check.verdict == UNSUPPORTED and check.rule not in HARD and check.span is not None:
        check = judge.decide(claim, check)
    return _verified(claim, check)


class Verifier:
    """Verifies free text against the index: each claim retrieves its own evidence."""

    def __init__(self, retriever: Retriever, k: int = K, judge: Judge | None = None, check_source: bool = True):
        self.retriever = retriever
        self.k = k
        self.judge = judge
        self.check_source = check_source  # supported quotes must be on the original page too
        self._executor: ThreadPoolExecutor | None = None  # made on first use, not at import or construction
        self._lock = threading.Lock()

    def with_k(self, k: int) -> Verifier:
        """This verifier (same retriever, judge and source check) retrieving `k` passages per claim."""
        return self if k == self.k else Verifier(self.retriever, k, self.judge, self.check_source)

    def verify_claim(self, claim: str, filters: Filters | None = None) -> Verified:
        """Retrieve passages for the claim, then judge it against their spans."""
        t0 = time.perf_counter()
        passages = list(self.retriever.search(claim, k=self.k, filters=filters).passages)
        t1 = time.perf_counter()
        verified = verify_against(claim, passages, self.judge)
        if self.check_source and verified.verdict == SUPPORTED:
            verified = self._on_source(verified)
        t2 = time.perf_counter()
        return Verified(verified.claim, verified.verdict, verified.reason, verified.evidence, verified.coverage,
                        verified.rule, {"retrieve": (t1 - t0) * 1000, "verify": (t2 - t1) * 1000})

    def verify_text(self, text: str, filters: Filters | None = None) -> list[Verified]:
        """Split into claims (sentences), verify each; claims run side by side (the embedder, FAISS and
        SQLite release the GIL), so a 5-sentence answer costs about two retrievals, not five."""
        claims = [c.text for c in split_claims(text)]
        if len(claims) <= 1:
            return [self.verify_claim(c, filters) for c in claims]
        return list(self._pool().map(lambda c: self.verify_claim(c, filters), claims))

    def _on_source(self, verified: Verified) -> Verified:
        """A supported verdict whose quote is not on the original page (or lines) becomes unsupported."""
        evidence = verified.evidence[0]
        p = evidence.passage
        path = self.retriever.index.get().file_path(p.doc_id)
        if not path or not os.path.isfile(path):
            return verified  # the original moved: the indexed text is all we can check against
        try:
            found = quote_on_source(evidence.quote, path, p.pages, p.lines)
        except (OSError, ValueError):
            return verified
        if found:
            return verified
        where = f"page {p.pages[0]}" if p.pages else "the cited lines"
        return Verified(verified.claim, UNSUPPORTED, f"the quote is not on {where} of the original {p.source}",
                        verified.evidence, verified.coverage, "source")

    def _pool(self) -> ThreadPoolExecutor:
        with self._lock:
            if self._executor is None:
                self._executor = ThreadPoolExecutor(max_workers=THREADS, thread_name_prefix="gqa-verify")
            return self._executor
