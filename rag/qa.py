"""Ask: retrieve, decide whether to answer, generate, check citations, wrap in an `Answer`.

A fixed flow, so plain methods. The disclaimer and the abstention text come from here,
never from a model, so text inside a passage cannot remove them.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from rag.answering import abstain
from rag.answering.citations import check_answer, strip_unknown_markers
from rag.answering.generators.base import Generation, Generator
from rag.errors import GuidelineQAError
from rag.settings import Settings
from rag.text.question import Question, as_question
from rag.text.translation import answerability_text
from rag.types import ABSTAIN_TEXT, Answer, AnswerSentence, Filters, Passage

if TYPE_CHECKING:
    from rag.retrieval.retriever import Retriever
    from rag.verify.judge import Judge

RELATED = 3  # passages shown as "related" when abstaining
WITHHELD_TEXT = "This answer was withheld: the guideline contradicts it."


def withheld_reason(sentences: tuple[AnswerSentence, ...]) -> str | None:
    """Why an answer must be withheld: its key sentence (the first, the one that answers) is contradicted."""
    if sentences and sentences[0].verdict == "contradicted":
        where = sentences[0].evidence[0].passage if sentences[0].evidence else None
        cite = f" ({where.title}, p. {where.pages[0]})" if where and where.pages else (f" ({where.title})" if where else "")
        return f'"{sentences[0].text}": {sentences[0].reason}{cite}.'
    return None


def _related(passages) -> tuple[Passage, ...]:
    """The first RELATED passages on distinct pages (two chunks of one page would list the page twice)."""
    seen, out = set(), []
    for p in passages:
        where = (p.doc_id or p.source, tuple(p.pages or ()), tuple(p.lines or ()) if not p.pages else ())
        if where not in seen:
            seen.add(where)
            out.append(p)
        if len(out) == RELATED:
            break
    return tuple(out)


def _superseded(citations) -> tuple[str, ...]:
    """A notice per citation of an older edition: the answer may quote it where its wording fits the question best."""
    return tuple(f"[{c.n}] quotes {c.passage.title}, superseded by {c.passage.superseded_by_label or 'a newer edition'}: "
                 "check the newer edition" for c in citations if c.passage.superseded_by)


def _ms(t0: float) -> float:
    return (time.perf_counter() - t0) * 1000


@dataclass(frozen=True)
class Retrieved:
    """What `QA.retrieve` found for one question; `QA.answer` turns it into an `Answer`."""

    question: str
    passages: list[Passage]
    timings: dict  # ms per stage so far; `answer` adds to it
    signals: dict[str, float]
    refuse: bool  # abstain without calling the model
    t_total: float  # perf_counter() when the question arrived


class QA:
    """Question answering over one retriever and one generator, both built once."""

    def __init__(self, retriever: Retriever | None, generator: Generator, settings: Settings, judge: Judge | None = None):
        self.retriever = retriever  # None in a stage that only generates and checks (Ray's answer actors)
        self.generator = generator
        self.settings = settings
        self.judge = judge  # the LLM judge for sentences the rules leave undecided (GQA_VERIFY_JUDGE)

    # --- stages
    def _check_question(self, question: str | Question) -> Question:
        return as_question(question, self.settings.max_question_chars, self.settings.query_translation)

    def _retrieve(self, question: str, k: int | None, filters: Filters | None) -> tuple[list[Passage], dict]:
        t0 = time.perf_counter()
        result = self.retriever.search(question, k=k, filters=filters)
        timings = {f"retrieve_{name}": ms for name, ms in (result.timings or {}).items()}
        timings["retrieve"] = _ms(t0)
        return list(result.passages), timings

    def _signals(self, question: Question, passages: list[Passage]) -> dict[str, float]:
        # A French or Spanish question is judged by English words: its own words are absent from an
        # English corpus and would look like rare, uncovered terms (its search words when no dictionary is installed).
        language = question.query.language
        words = str(question) if language == "en" else question.query.lexical
        if self.retriever is None:  # a stage that only generates: signals came with the retrieved passages
            return abstain.signals(words, passages, None, 0)
        reader = self.retriever.index.get()
        if language != "en":
            words = answerability_text(str(question), language, reader.chunks_with_term) or words
        embedder = self.retriever.embedder
        pieces = lambda w: embedder.count_tokens(w) - 2  # noqa: E731 - minus [CLS]/[SEP]
        return abstain.signals(words, passages, reader.chunks_with_term, reader.chunk_count(), pieces)

    def _abstained(self, question, passages, timings, sig, notices=(), generation: Generation | None = None) -> Answer:
        return Answer(question, ABSTAIN_TEXT, True, passages=tuple(passages), related=_related(passages),
                      generator=self.generator.name, model=generation.model if generation else None,
                      usage=generation.usage if generation else {}, timings=timings,
                      notices=tuple(notices), abstain_signals=sig)

    def _finish(self, question: str, generation: Generation, timings: dict, sig: dict, t_total: float) -> Answer:
        timings.update(generation.timings)  # generate (extractive) or prompt / model / first_token (LLM)
        given = list(generation.passages)
        if generation.abstain or not generation.text.strip():
            timings["total"] = _ms(t_total)
            return self._abstained(question, given, timings, sig,
                                   (*generation.notices, "the generator found no answer in the passages"), generation)
        t0 = time.perf_counter()
        checked = check_answer(generation.text, given, self.settings.support_threshold,
                               trailing_only=generation.quoted_lines, judge=self.judge)
        text = strip_unknown_markers(generation.text, len(given))
        timings["check"] = _ms(t0)
        timings["total"] = _ms(t_total)
        withheld = withheld_reason(checked.sentences)
        if withheld:  # never shown as the guideline's word: the text says why, the sentences show the verdicts
            text = f"{WITHHELD_TEXT} {withheld}"
        return Answer(question, text, withheld is not None, checked.citations, checked.sentences, tuple(given),
                      generator=generation.generator, model=generation.model, usage=generation.usage,
                      timings=timings, notices=(*generation.notices, *checked.notices, *_superseded(checked.citations)),
                      abstain_signals=sig,
                      withheld=withheld)

    def _prepare(self, question: str, k: int | None, filters: Filters | None):
        t_total = time.perf_counter()
        question = self._check_question(question)
        passages, timings = self._retrieve(question, k, filters)
        t0 = time.perf_counter()
        sig = self._signals(question, passages)
        timings["abstain"] = _ms(t0)
        return question, passages, timings, sig, abstain.should_abstain(sig, self.settings), t_total

    # --- public
    def retrieve(self, question: str, k: int | None = None, filters: Filters | None = None) -> Retrieved:
        """Stage one of `ask` (no model call): check, retrieve, decide whether to abstain."""
        return Retrieved(*self._prepare(question, k, filters))

    def answer(self, r: Retrieved) -> Answer:
        """Stage two of `ask`: generate over what `retrieve` found (or abstain) and check citations."""
        if r.refuse:
            r.timings["total"] = _ms(r.t_total)
            return self._abstained(r.question, r.passages, r.timings, r.signals)
        return self.finish(r, self.generator.generate(r.question, r.passages))

    def finish(self, r: Retrieved, generation: Generation) -> Answer:
        """Check a generation made elsewhere (e.g. a batch engine) over `r`'s passages."""
        return self._finish(r.question, generation, r.timings, r.signals, r.t_total)

    def ask(self, question: str, k: int | None = None, filters: Filters | None = None) -> Answer:
        """Answer one question with checked citations, or abstain."""
        question, passages, timings, sig, refuse, t_total = self._prepare(question, k, filters)
        if refuse:
            timings["total"] = _ms(t_total)
            return self._abstained(question, passages, timings, sig)
        generation = self.generator.generate(question, passages)
        return self._finish(question, generation, timings, sig, t_total)

    def ask_stream(self, question: str, k: int | None = None,
                   filters: Filters | None = None) -> Iterator[tuple[str, dict[str, Any]]]:
        """Events: passages, then tokens, then the final answer (or an error)."""
        try:
            question, passages, timings, sig, refuse, t_total = self._prepare(question, k, filters)
        except GuidelineQAError as exc:
            yield "error", {"message": str(exc), "type": type(exc).__name__}
            return
        yield "passages", {"passages": [p.to_dict() for p in passages]}
        if refuse:
            timings["total"] = _ms(t_total)
            yield "answer", self._abstained(question, passages, timings, sig).to_dict()
            return
        try:
            for item in self.generator.stream(question, passages):
                if isinstance(item, Generation):
                    yield "answer", self._finish(question, item, timings, sig, t_total).to_dict()
                else:
                    yield "token", {"text": item}
        except GuidelineQAError as exc:
            yield "error", {"message": str(exc), "type": type(exc).__name__}

