"""Prompts for an LLM: numbered sources with their citation, worked examples, the question.

The header (instructions and examples) never changes, so a server with prefix caching
(vLLM's --enable-prefix-caching) computes it once. The examples are invented for this
prompt (a fictional manual), not taken from any guideline.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.errors import BadRequest
from rag.types import Passage, place

NOT_IN_SOURCES = "NOT IN SOURCES"
STOP = ["\n###", "\nQuestion:", "\nSources:"]

INSTRUCTIONS = (
    "You answer questions from health workers using only the numbered guideline sources given. "
    "Write two to five short sentences. End every sentence with the number of the source that "
    "says it, like [1] or [2][3]. Copy doses, units, ages and thresholds exactly as the source "
    "writes them. Do not use anything that is not in the sources. If the sources do not answer "
    f"the question, write only: {NOT_IN_SOURCES}"
)

EXAMPLES = f"""Sources:
[1] Example Health Agency, "Field manual of fictional fevers" (2019), page 14, section: Blue fever > Treatment
Blue fever in adults is treated with oral zentamycin 250 mg twice daily for 5 days. Children under 12 years receive 10 mg/kg twice daily for 5 days.
[2] Example Health Agency, "Field manual of fictional fevers" (2019), page 15, section: Blue fever > Referral
Refer any patient with blue fever who cannot drink or has a temperature above 40 °C.

Question: How long is zentamycin given for blue fever in a child, and at what dose?
Answer: Children under 12 years receive zentamycin 10 mg/kg twice daily [1]. The course lasts 5 days [1].

###

Sources:
[1] Example Health Agency, "Field manual of fictional fevers" (2019), page 15, section: Blue fever > Referral
Refer any patient with blue fever who cannot drink or has a temperature above 40 °C.

Question: What vaccine prevents blue fever?
Answer: {NOT_IN_SOURCES}

###
"""


def source_label(n: int, p: Passage) -> str:
    """'[n] Org, "Title", edition (year), page(s) x, section: s' — what the model sees of a citation; an
    older edition of a guideline indexed with its newer one says so: '(2010) (superseded by Third edition, 2015)'."""
    where = place(p.pages, p.page_labels, p.lines)
    where = f", {where}" if where else ""
    org = f"{p.organisation}, " if p.organisation else ""
    edition = f", {p.edition}" if p.edition else ""
    year = f" ({p.year})" if p.year else ""
    newer = p.superseded_by_label or ("a newer edition" if p.superseded_by else None)
    superseded = f" (superseded by {newer})" if newer else ""
    section = f", section: {p.section}" if p.section else ""
    return f"[{n}] {org}\"{p.title}\"{edition}{year}{superseded}{where}{section}"


def sources_block(passages: list[Passage]) -> str:
    return "\n".join(f"{source_label(i, p)}\n{p.text.strip()}" for i, p in enumerate(passages, 1))


def estimate_tokens(text: str) -> int:
    """A cautious token count without the model's tokenizer (about 3 characters a token)."""
    return len(text) // 3 + 1


@dataclass(frozen=True)
class Budget:
    context_tokens: int
    max_tokens: int
    max_passages: int


def fit_passages(question: str, passages: list[Passage], budget: Budget) -> list[Passage]:
    """The best-ranked passages that fit the context; the weakest are dropped, never the question."""
    fixed = estimate_tokens(INSTRUCTIONS + EXAMPLES + question) + 64
    room = budget.context_tokens - budget.max_tokens - fixed
    if room <= 0:
        raise BadRequest(f"the question is too long for the model's context ({budget.context_tokens} tokens)")
    kept, used = [], 0
    for p in passages[: budget.max_passages]:
        cost = estimate_tokens(source_label(len(kept) + 1, p) + p.text) + 2
        if used + cost > room:
            continue  # a shorter, lower-ranked passage may still fit
        kept.append(p)
        used += cost
    return kept


def completion_prompt(question: str, passages: list[Passage]) -> str:
    """A prompt for a base model (Meditron-3) on /v1/completions."""
    return f"{INSTRUCTIONS}\n\n{EXAMPLES}\nSources:\n{sources_block(passages)}\n\nQuestion: {question.strip()}\nAnswer:"


def chat_messages(question: str, passages: list[Passage]) -> list[dict[str, str]]:
    """The same content for a model with a chat template, on /v1/chat/completions."""
    return [
        {"role": "system", "content": f"{INSTRUCTIONS}\n\nExamples:\n{EXAMPLES}"},
        {"role": "user", "content": f"Sources:\n{sources_block(passages)}\n\nQuestion: {question.strip()}"},
    ]


ANSWER_SCHEMA = {
    "type": "object",
    "properties": {
        "abstain": {"type": "boolean"},
        "sentences": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"text": {"type": "string"}, "citations": {"type": "array", "items": {"type": "integer"}}},
                "required": ["text", "citations"],
            },
        },
    },
    "required": ["abstain", "sentences"],
}
