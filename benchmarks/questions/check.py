"""Check question files against the corpus: fields, gold places, and every evidence phrase on its gold page.

    python -m benchmarks.questions.check benchmarks/questions/raw/*.jsonl   # exit 1 on any problem
    python -m benchmarks.questions.check --dump /tmp/corpus_pages          # page texts, for writing questions

Evidence is matched with the rules of the eval README (rag/retrieval/evaluation.py): NFKC, dashes and quotes,
hyphens at line breaks both ways, whitespace collapsed, case-folded; against pypdf text of the gold pages, or the
gold lines of a Markdown file. Page texts are cached under ~/.cache/guideline-qa/pages so reruns are quick.
"""

from __future__ import annotations

import argparse
import json
import logging
import re
import sys
from functools import cache
from pathlib import Path

from benchmarks.common import shared_dir
from rag.retrieval.evaluation import has_evidence

TYPES = {"dosage", "diagnosis", "treatment", "threshold", "referral", "prevention", "table", "other", "unanswerable"}
STYLES = {"direct", "paraphrase", "keyword"}
LANGS = {"en", "fr", "es", "pt"}
CACHE = Path.home() / ".cache" / "guideline-qa" / "pages"
MAX_EVIDENCE_WORDS = 25


def corpus_dir() -> Path:
    return shared_dir() / "corpus"


@cache
def page_texts(doc: str) -> tuple[str, ...]:
    """pypdf text of every page of a corpus PDF (cached on disk), or the lines of a Markdown file."""
    path = corpus_dir() / doc
    if path.suffix != ".pdf":
        return tuple(path.read_text(encoding="utf-8").split("\n"))
    cached = CACHE / (doc.replace("/", "__") + ".json")
    if cached.exists() and cached.stat().st_mtime >= path.stat().st_mtime:
        return tuple(json.loads(cached.read_text()))
    import pypdf

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    texts = [page.extract_text() or "" for page in pypdf.PdfReader(path).pages]
    CACHE.mkdir(parents=True, exist_ok=True)
    tmp = cached.with_suffix(".tmp")
    tmp.write_text(json.dumps(texts))
    tmp.replace(cached)
    return tuple(texts)


def _place_text(doc: str, pages: list[int] | None, lines: list[int] | None) -> list[str]:
    texts = page_texts(doc)
    if lines:
        return ["\n".join(texts[lines[0] - 1:lines[1]])]
    return [texts[p - 1] for p in pages or []]


def _check_place(where: str, doc: str, pages, lines) -> list[str]:
    if not (corpus_dir() / doc).is_file():
        return [f"{where}: doc {doc!r} is not a file of the corpus"]
    n = len(page_texts(doc))
    if doc.endswith(".md"):
        if not (isinstance(lines, list) and len(lines) == 2 and 1 <= lines[0] <= lines[1] <= n):
            return [f"{where}: Markdown gold needs lines [first, last] within 1..{n}, got {lines!r}"]
        if lines[1] - lines[0] > 80:
            return [f"{where}: lines {lines} span more than 80 lines; give the answering lines only"]
    elif not (isinstance(pages, list) and pages and all(isinstance(p, int) and 1 <= p <= n for p in pages)):
        return [f"{where}: PDF gold needs pages within 1..{n}, got {pages!r}"]
    return []


def check_item(d: dict) -> list[str]:
    """Every problem of one question, as messages naming the id and field."""
    qid = d.get("id", "?")
    problems = []
    for key in ("id", "question", "answer", "type", "style", "lang", "evidence"):
        if key not in d:
            problems.append(f"{qid}: missing field {key!r}")
    if problems:
        return problems
    if d["type"] not in TYPES:
        problems.append(f"{qid}: type {d['type']!r} not in {sorted(TYPES)}")
    if d["style"] not in STYLES:
        problems.append(f"{qid}: style {d['style']!r} not in {sorted(STYLES)}")
    if d["lang"] not in LANGS:
        problems.append(f"{qid}: lang {d['lang']!r} not in {sorted(LANGS)}")
    if d["type"] == "unanswerable" or d.get("doc") is None:
        if d.get("doc") is not None or d.get("pages") or d.get("evidence") or d["type"] != "unanswerable":
            problems.append(f"{qid}: an unanswerable item has doc null, pages [], evidence [] and type 'unanswerable'")
        return problems
    doc = d["doc"]
    place = _check_place(qid, doc, d.get("pages"), d.get("lines"))
    if place:
        return problems + place
    if not d["evidence"] or not all(isinstance(e, str) and e.strip() for e in d["evidence"]):
        problems.append(f"{qid}: evidence must be 1-3 non-empty phrases")
    texts = _place_text(doc, d.get("pages"), d.get("lines"))
    for phrase in d["evidence"]:
        if len(phrase.split()) > MAX_EVIDENCE_WORDS:
            problems.append(f"{qid}: evidence phrase longer than {MAX_EVIDENCE_WORDS} words: {phrase[:60]!r}")
        if not any(has_evidence(t, [phrase]) for t in texts):
            problems.append(f"{qid}: evidence {phrase!r} not found on its gold place {d.get('pages') or d.get('lines')}")
    for n, alt in enumerate(d.get("alt") or []):
        problems += _check_place(f"{qid} alt[{n}]", alt.get("doc", ""), alt.get("pages"), alt.get("lines"))
    return problems


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


def check_files(paths: list[Path]) -> list[str]:
    """Problems over all files: per item, duplicate ids, and questions too close to a dev question."""
    problems, seen = [], {}
    dev_path = shared_dir() / "eval" / "dev.jsonl"
    dev = [json.loads(x) for x in dev_path.read_text().splitlines() if x.strip()] if dev_path.exists() else []
    dev_ids = {d["id"] for d in dev}
    dev_words = [(d["id"], _words(d["question"])) for d in dev]
    for path in paths:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            if not line.strip():
                continue
            try:
                d = json.loads(line)
            except json.JSONDecodeError as exc:
                problems.append(f"{path}:{n}: not JSON ({exc})")
                continue
            qid = d.get("id")
            if qid in seen or qid in dev_ids:
                problems.append(f"{path}:{n}: id {qid!r} already used ({seen.get(qid, 'dev.jsonl')})")
            seen[qid] = f"{path}:{n}"
            problems += [f"{path}:{n}: {p}" for p in check_item(d)]
            words = _words(d.get("question", ""))
            for dev_id, dw in dev_words:
                if words and len(words & dw) / len(words | dw) > 0.6:
                    problems.append(f"{path}:{n}: {qid} reads like dev {dev_id}; write a new question")
    return problems


def dump(folder: Path) -> None:
    """Write every corpus page's pypdf text to FOLDER/<doc name>/p0001.txt (Markdown: the file, line-numbered)."""
    for path in sorted(corpus_dir().rglob("*")):
        if path.suffix not in {".pdf", ".md"} or path.parent == corpus_dir():
            continue
        doc = path.relative_to(corpus_dir()).as_posix()
        out = folder / path.stem
        out.mkdir(parents=True, exist_ok=True)
        texts = page_texts(doc)
        if path.suffix == ".md":
            (out / "lines.txt").write_text("".join(f"{i}\t{t}\n" for i, t in enumerate(texts, start=1)))
        else:
            for i, t in enumerate(texts, start=1):
                (out / f"p{i:04d}.txt").write_text(t)
        print(f"{doc}: {len(texts)} {'lines' if path.suffix == '.md' else 'pages'} -> {out}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--dump", type=Path, help="Write corpus page texts into this folder and stop.")
    args = parser.parse_args()
    if args.dump:
        dump(args.dump)
        return
    problems = check_files(args.files)
    for p in problems:
        print(p)
    items = sum(1 for f in args.files for x in f.read_text().splitlines() if x.strip())
    print(f"{items} questions in {len(args.files)} files, {len(problems)} problems")
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
