"""The claim verifier measured: true statements supported, perturbed ones not, the gold page cited, latency.

    .venv/bin/python -m benchmarks.verify --index /work/cache/base-index [--questions FILE ...] [-o OUT]

From each question (fields of shared/eval/README.md: doc, pages | lines, evidence; never dev.jsonl), the
verbatim statement is the sentence of the gold page (pypdf text) or lines holding the first evidence
phrase; then a light paraphrase of it and the perturbations of rag.verify.perturb (number, negation,
drug, population/route; a kind is skipped where the sentence has nothing to change). Every statement
is verified with retrieval over the index. Results: share judged correctly per kind, how often a
supported true statement cites the gold page, how many true statements missed had no gold page among
the retrieved passages (a retrieval miss, not the rules'), and the time to verify 5-sentence answers; the figures
are given over all statements and for each half of the fixed split (benchmarks/questions/*.jsonl).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from functools import lru_cache
from pathlib import Path

from benchmarks.common import RESULTS, ROOT, index_arg, percentile, read_jsonl, shared_dir
from rag.settings import Settings
from rag.text.sentences import sentence_spans
from rag.verify.perturb import PERTURBATIONS, paraphrase
from rag.verify.source import normalise
from rag.verify.verifier import Verifier
from rag.wiring import build_retriever, configure_process

RAW = ROOT / "benchmarks" / "questions" / "raw"
MAX_STATEMENT = 400  # characters; a longer "sentence" is cut to the clause around the phrase
GOALS = {"verbatim": 0.95, "paraphrase": 0.75, "perturbed": 0.90, "each_perturbation": 0.85, "gold_page": 0.80,
         "latency_ms": 200}


def default_questions() -> list[Path]:
    return sorted(RAW.glob("*.jsonl"))


def _source_text(corpus: Path, item: dict) -> list[str]:
    """The raw text of each gold page (pypdf) or of the gold lines."""
    path = corpus / item["doc"]
    if item.get("pages"):
        reader = _pdf(str(path))
        return [reader.pages[p - 1].extract_text() or "" for p in item["pages"] if 1 <= p <= len(reader.pages)]
    first, last = item["lines"]
    return ["\n".join(path.read_text(encoding="utf-8").split("\n")[first - 1:last])]


@lru_cache(maxsize=16)
def _pdf(path: str):
    from pypdf import PdfReader

    return PdfReader(path)


def _clean(text: str) -> str:
    text = re.sub(r"-\n(?=[a-z])", "", text)
    text = re.sub(r"/L50776|[•▪●]", " ", text)  # bullet glyphs pypdf reads as text
    return " ".join(text.split()).strip(" -–;:")


def statement(corpus: Path, item: dict) -> str | None:
    """The sentence of the gold page holding the first evidence phrase, whitespace collapsed."""
    phrase = normalise(item["evidence"][0])[0] if item.get("evidence") else None
    if not phrase:
        return None
    for text in _source_text(corpus, item):
        for s, e in sentence_spans(text):
            sentence = text[s:e]
            if phrase in " ".join(normalise(sentence)):
                return _clean(_lines_holding(sentence, phrase) if _table_like(sentence) else sentence)
    return None


def _table_like(sentence: str) -> bool:
    lines = [ln for ln in sentence.split("\n") if ln.strip()]
    return len(sentence) > MAX_STATEMENT or sum(bool(re.search(r"\d", ln)) for ln in lines) >= 3


def _lines_holding(sentence: str, phrase: str) -> str:
    """The fewest consecutive lines of `sentence` that hold `phrase` (a table row, a clause)."""
    lines = [ln for ln in sentence.split("\n") if ln.strip()]
    for width in range(1, len(lines) + 1):
        for i in range(len(lines) - width + 1):
            piece = "\n".join(lines[i:i + width])
            if phrase in " ".join(normalise(piece)):
                return piece
    return sentence


def build_set(corpus: Path, items: list[dict]) -> list[dict]:
    """One record per statement: id, kind, text, expected (supported or not), gold doc and pages/lines."""
    out = []
    for item in items:
        if not item.get("doc") or item.get("type") == "unanswerable" or item.get("lang", "en") != "en":
            continue
        true = statement(corpus, item)
        if not true or len(true.split()) < 4:
            continue
        gold = {"doc": item["doc"], "pages": item.get("pages"), "lines": item.get("lines")}
        out.append({"id": item["id"], "kind": "verbatim", "text": true, "true": True, **gold})
        para = paraphrase(true)
        if para:
            out.append({"id": item["id"], "kind": "paraphrase", "text": para, "true": True, **gold})
        for kind, change in PERTURBATIONS.items():
            changed = change(true)
            if changed and changed != true:
                out.append({"id": item["id"], "kind": kind, "text": changed, "true": False, **gold})
    return out


def cites_gold(record: dict, evidence: list[dict]) -> bool:
    for e in evidence:
        if e["source"] != record["doc"]:
            continue
        if record.get("pages") and e.get("pages") and set(e["pages"]) & set(record["pages"]):
            return True
        if record.get("lines") and e.get("lines") and e["lines"][0] <= record["lines"][1] and record["lines"][0] <= e["lines"][1]:
            return True
    return False


def gold_retrieved(verifier: Verifier, record: dict) -> bool:
    """The gold page (or lines) is among the passages the verifier retrieves for the statement."""
    passages = verifier.retriever.search(record["text"], k=verifier.k).passages
    return cites_gold(record, [{"source": p.source, "pages": p.pages, "lines": p.lines} for p in passages])


def half_of(questions_dir: Path = RAW.parent) -> dict[str, str]:
    """Question id -> "tuning" | "validation", from the fixed split files."""
    out = {}
    for half in ("tuning", "validation"):
        path = questions_dir / f"{half}.jsonl"
        if path.exists():
            out.update({item["id"]: half for item in read_jsonl(path)})
    return out


def summarise(examples: list[dict]) -> dict:
    """Share judged correctly per kind, perturbed statements not supported, the gold page among the evidence."""
    by_kind: dict[str, list[bool]] = {}
    gold_hits = []
    for e in examples:
        by_kind.setdefault(e["kind"], []).append(e["correct"])
        if e["true"] and e["verdict"] == "supported":
            gold_hits.append(cites_gold(e, e["evidence"]))
    perturbed = [ok for kind, oks in by_kind.items() if kind in PERTURBATIONS for ok in oks]
    misses = [e for e in examples if e["true"] and not e["correct"]]
    return {"n_statements": len(examples), "counts": {k: len(v) for k, v in sorted(by_kind.items())},
            "correct_share": {kind: round(sum(oks) / len(oks), 3) for kind, oks in sorted(by_kind.items())},
            # true statements not supported, and how many of them had no gold page among the retrieved passages
            "true_misses": {kind: {"n": sum(e["kind"] == kind for e in misses),
                                   "gold_not_retrieved": sum(e["kind"] == kind and e.get("gold_retrieved") is False
                                                             for e in misses)}
                            for kind in ("verbatim", "paraphrase")},
            "perturbed_not_supported": round(sum(perturbed) / len(perturbed), 3) if perturbed else None,
            "gold_page_among_evidence": round(sum(gold_hits) / len(gold_hits), 3) if gold_hits else None}


def run(index: Path, questions: list[Path], out: Path, answers: int = 20) -> dict:
    settings = Settings(index=index)
    configure_process(settings)
    verifier = Verifier(build_retriever(settings))
    items = [item for q in questions for item in read_jsonl(q)]
    records = build_set(shared_dir() / "corpus", items)
    halves = half_of()
    examples = []
    for r in records:
        verified = verifier.verify_claim(r["text"])
        v = verified.to_dict()
        ok = (v["verdict"] == "supported") == r["true"]
        example = {**r, "half": halves.get(r["id"], "none"), "verdict": v["verdict"], "reason": v["reason"],
                   "correct": ok, "timings_ms": {k: round(t, 1) for k, t in verified.timings.items()},
                   "evidence": [{k: e[k] for k in ("source", "pages", "lines", "quote")} for e in v["evidence"]]}
        if r["true"] and not ok:  # a miss: was the gold page retrieved at all (else retrieval's fault, not the rules')
            example["gold_retrieved"] = gold_retrieved(verifier, r)
        examples.append(example)
    # latency: 5 true statements as one answer, verified end to end (retrieval included), caches warm
    true = [r["text"] for r in records if r["kind"] == "verbatim" and 40 <= len(r["text"]) <= 200]
    texts = [". ".join(s.rstrip(".") for s in true[i:i + 5]) + "." for i in range(0, max(0, len(true) - 4), 5)][:answers]
    latencies, n_claims = [], []
    for text in texts:
        t0 = time.perf_counter()
        n_claims.append(len(verifier.verify_text(text)))
        latencies.append((time.perf_counter() - t0) * 1000)
    result = {
        "command": "python -m benchmarks.verify " + " ".join(sys.argv[1:]),
        "index": str(index), "questions": [str(q) for q in questions], "n_questions": len(items),
        **summarise(examples),
        # Rules are fitted on the tuning half's statements; the validation half is for reporting.
        "halves": {half: summarise([e for e in examples if e["half"] == half]) for half in ("tuning", "validation")},
        "latency_5_sentences_ms": {"n": len(latencies), "median": round(statistics.median(latencies), 1) if latencies else None,
                                   "p90": round(percentile(latencies, 90), 1) if latencies else None,
                                   "claims_per_answer": round(statistics.mean(n_claims), 1) if n_claims else None},
        "goals": GOALS,
        "examples": examples,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    index_arg(parser)
    parser.add_argument("--questions", type=Path, nargs="+", default=None,
                        help="Question JSONL files (default: every benchmarks/questions/raw/*.jsonl).")
    parser.add_argument("-o", "--out", type=Path, default=RESULTS / "verify.json")
    args = parser.parse_args()
    questions = args.questions or default_questions()
    if not questions:
        parser.error(f"no question files: none in {RAW} and no --questions FILE given")
    if any(q.name == "dev.jsonl" for q in questions):
        parser.error("dev.jsonl is the development split: measure on other questions")
    result = run(args.index, questions, args.out)
    print(json.dumps({k: v for k, v in result.items() if k != "examples"}, indent=1))


if __name__ == "__main__":
    main()
