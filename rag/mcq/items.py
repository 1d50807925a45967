"""MCQ items from MIRAGE's benchmark.json layout or from JSONL, in file order (so `--limit` is stable)."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from pathlib import Path

from rag.batch.files import jsonl_objects
from rag.errors import BadRequest

LETTERS = string.ascii_uppercase


@dataclass(frozen=True)
class MCQItem:
    """One question: `options` maps letters to option texts in their order; `answer` is a letter."""

    id: str
    question: str
    options: tuple[tuple[str, str], ...]
    answer: str
    dataset: str = ""

    @property
    def letters(self) -> list[str]:
        return [letter for letter, _ in self.options]

    @property
    def key(self) -> str:
        """Unique over datasets: MIRAGE ids repeat across datasets."""
        return f"{self.dataset}/{self.id}" if self.dataset else self.id


def _options(raw: object, where: str) -> tuple[tuple[str, str], ...]:
    if isinstance(raw, dict):
        pairs = [(str(k).strip().upper(), str(v).strip()) for k, v in raw.items()]
    elif isinstance(raw, list):
        pairs = [(LETTERS[i], str(v).strip()) for i, v in enumerate(raw)]
    else:
        raise BadRequest(f"{where}: 'options' must be an object {{\"A\": ...}} or a list of option texts")
    if len(pairs) < 2 or any(len(k) != 1 or k not in LETTERS for k, _ in pairs):
        raise BadRequest(f"{where}: 'options' needs two or more options keyed by single letters A-Z")
    return tuple(pairs)


def _answer(raw: object, options: tuple[tuple[str, str], ...], where: str) -> str:
    text = str(raw).strip() if raw is not None else ""
    letters = {k for k, _ in options}
    if text.upper() in letters:
        return text.upper()
    for letter, option in options:  # some files give the option text as the answer
        if option.casefold() == text.casefold():
            return letter
    raise BadRequest(f"{where}: 'answer' {text!r} is neither an option letter ({', '.join(sorted(letters))}) "
                     f"nor an option's text")


def make_item(obj: object, item_id: str, dataset: str, where: str) -> MCQItem:
    """One item from its JSON object; errors name the place and the field."""
    if not isinstance(obj, dict):
        raise BadRequest(f"{where}: expected an object with 'question', 'options' and 'answer'")
    question = obj.get("question")
    if not isinstance(question, str) or not question.strip():
        raise BadRequest(f"{where}: 'question' is missing or empty")
    options = _options(obj.get("options"), where)
    return MCQItem(item_id, question.strip(), options, _answer(obj.get("answer"), options, where), dataset)


def _mirage(data: dict, path: Path) -> list[MCQItem]:
    items = []
    for dataset, block in data.items():
        if not isinstance(block, dict):
            raise BadRequest(f"{path}: dataset {dataset!r} is not an object of items {{id: {{question, options, answer}}}}")
        for item_id, obj in block.items():
            items.append(make_item(obj, str(item_id), str(dataset), f"{path}: {dataset}/{item_id}"))
    return items


def _jsonl(text: str, path: Path) -> list[MCQItem]:
    items = []
    for n, obj in jsonl_objects(text, path):
        raw_id = obj.get("id") if isinstance(obj, dict) else None
        dataset = str(obj.get("dataset") or "") if isinstance(obj, dict) else ""
        items.append(make_item(obj, str(raw_id) if raw_id not in (None, "") else f"row{n}", dataset, f"{path}:{n}"))
    return items


def load_items(path: Path, dataset: str | None = None, limit: int | None = None) -> list[MCQItem]:
    """The items of `path` (MIRAGE layout or JSONL), optionally one dataset and the first `limit`."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise BadRequest(f"{path}: not UTF-8 text ({exc})") from exc
    try:
        whole = json.loads(text)
    except json.JSONDecodeError:
        whole = None
    # A one-line JSONL file is one JSON object too: MIRAGE's is an object of objects without item keys.
    if isinstance(whole, dict) and not {"question", "options", "answer"} & set(whole) \
            and all(isinstance(v, dict) for v in whole.values()):
        items = _mirage(whole, path)
    else:
        items = _jsonl(text, path)
    if dataset is not None:
        names = sorted({i.dataset for i in items})
        items = [i for i in items if i.dataset == dataset]
        if not items:
            raise BadRequest(f"{path}: no dataset {dataset!r}; it has {', '.join(names) or 'no dataset names'}")
    seen: set[str] = set()
    for item in items:
        if item.key in seen:
            raise BadRequest(f"{path}: id {item.key!r} appears twice; ids must be unique (per dataset)")
        seen.add(item.key)
    return items[:limit] if limit is not None else items
