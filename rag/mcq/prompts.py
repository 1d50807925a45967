"""MCQ prompts: few-shot with a fixed answer format for a base model (Meditron-3 is not
instruction-tuned) and the same content as chat turns. The exemplars are fixed and in a fixed
order, so two runs send identical prompts. `rag` adds numbered guideline passages (organisation,
title, year, pages) before the question; the exemplars stay closed-book so both modes share them.
"""

from __future__ import annotations

from rag.answering.prompt import Budget, estimate_tokens, source_label
from rag.mcq.items import MCQItem
from rag.types import Passage

MODES = ("closed", "rag")
# A small model keeps going with another question; these end the reply after its answer line.
STOP = ["\n###", "\nQuestion:"]

INSTRUCTIONS = ("The following are multiple-choice questions about medicine. Answer each with the letter "
                "of the single best option, in the form 'Answer: X'.")
RAG_INSTRUCTIONS = (INSTRUCTIONS + " Before the last question come numbered passages from clinical guidelines; "
                    "use them if they help.")

EXEMPLARS: tuple[tuple[str, tuple[tuple[str, str], ...], str], ...] = (
    ("Which organ is mainly affected by hepatitis B?",
     (("A", "The kidney"), ("B", "The liver"), ("C", "The lung"), ("D", "The heart")), "B"),
    ("Which solution is given by mouth to treat dehydration from diarrhoea?",
     (("A", "Oral rehydration salts"), ("B", "Cough syrup"), ("C", "Vitamin A"), ("D", "Iron tablets")), "A"),
    ("Which insect transmits malaria?",
     (("A", "The housefly"), ("B", "The tsetse fly"), ("C", "The Anopheles mosquito"), ("D", "The flea")), "C"),
)


def question_block(question: str, options: tuple[tuple[str, str], ...]) -> str:
    return f"Question: {question.strip()}\n" + "\n".join(f"{k}. {v}" for k, v in options)


def passages_block(passages: list[Passage]) -> str:
    return "Guideline passages:\n" + "\n".join(f"{source_label(i, p)}\n{p.text.strip()}"
                                               for i, p in enumerate(passages, 1))


def _shots() -> str:
    return "\n\n###\n\n".join(f"{question_block(q, o)}\nAnswer: {a}" for q, o, a in EXEMPLARS)


def completion_prompt(item: MCQItem, passages: list[Passage] | None = None) -> str:
    """The base-model prompt: instructions, exemplars, (passages,) the question, 'Answer:'."""
    head = RAG_INSTRUCTIONS if passages is not None else INSTRUCTIONS
    sources = f"{passages_block(passages)}\n\n" if passages else ""
    return f"{head}\n\n{_shots()}\n\n###\n\n{sources}{question_block(item.question, item.options)}\nAnswer:"


def chat_messages(item: MCQItem, passages: list[Passage] | None = None) -> list[dict[str, str]]:
    """The chat variant: the exemplars as earlier turns, the reply expected as 'Answer: X'."""
    head = RAG_INSTRUCTIONS if passages is not None else INSTRUCTIONS
    messages = [{"role": "system", "content": head}]
    for q, o, a in EXEMPLARS:
        messages += [{"role": "user", "content": question_block(q, o)}, {"role": "assistant", "content": f"Answer: {a}"}]
    sources = f"{passages_block(passages)}\n\n" if passages else ""
    messages.append({"role": "user", "content": sources + question_block(item.question, item.options)})
    return messages


def fit(item: MCQItem, passages: list[Passage], budget: Budget) -> list[Passage]:
    """The best-ranked passages that fit beside the exemplars and the question (weakest dropped first)."""
    fixed = estimate_tokens(completion_prompt(item, [])) + 64
    room = budget.context_tokens - budget.max_tokens - fixed
    kept, used = [], 0
    for p in passages[: budget.max_passages]:
        cost = estimate_tokens(source_label(len(kept) + 1, p) + p.text) + 2
        if used + cost <= room:
            kept.append(p)
            used += cost
    return kept
