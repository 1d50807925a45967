"""French/Spanish/Portuguese questions over the English corpus: no translation vs the hand glossary vs FreeDict.

    .venv/bin/python -m benchmarks.crosslingual --index INDEX

For the non-English items of the tuning half, the validation half and dev, each variant builds the question's
queries (rag.text.translation.translate_query, with the index's `chunks_with_term` as `df` where the variant
says so) and searches with the default retriever; recall@1/5 and MRR@10 per variant and half. English items
are checked to get exactly the same queries under every variant (so their ranks cannot change). Models and
the index are loaded once. Writes benchmarks/results/crosslingual.json.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from benchmarks.common import RESULTS, dev_questions_path, index_arg, question_halves
from rag.retrieval.evaluation import load_items, run_eval
from rag.settings import Settings
from rag.text import bilingual
from rag.text.language import detect_language
from rag.text.question import Question
from rag.text.translation import Query, dictionary_query, translate_query
from rag.wiring import build_retriever, configure_process


def variants(df) -> dict:
    """name -> (question, its labelled language) -> Query; every variant but the last detects the language."""
    def dictionary(**options):
        def build(q: str, lang: str) -> Query:
            language = detect_language(q)
            return (dictionary_query(q, language, **options) if language != "en" else None) or translate_query(q, "none")
        return build
    return {
        "none": lambda q, lang: translate_query(q, "none"),
        "hand glossary (today)": lambda q, lang: translate_query(q, "glossary"),
        "dictionary": lambda q, lang: translate_query(q, "dictionary", df),
        "dictionary, not corpus-restricted": dictionary(df=None),
        "dictionary, no cognates": dictionary(df=df, cognates=False),
        "dictionary, no neighbour dictionaries": dictionary(df=df, neighbours=False),
        "glossary+dictionary": lambda q, lang: translate_query(q, "glossary+dictionary", df),
        "dictionary, 1 word per entry": dictionary(df=df, per_entry=1),
        "dictionary, 3 words per entry": dictionary(df=df, per_entry=3),
        # Not a setting: what a language detector that never missed would give (labelled language).
        "dictionary, labelled language": lambda q, lang: (dictionary_query(q, lang, df) if lang != "en"
                                                          else translate_query(q, "none")),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    index_arg(parser)
    parser.add_argument("--out", type=Path, default=RESULTS / "crosslingual.json")
    args = parser.parse_args()
    base = Settings(index=args.index)
    configure_process(base)
    wired = build_retriever(base)
    reader = wired.index.get()
    halves = question_halves() | {"dev": load_items(dev_questions_path())}
    t0 = time.perf_counter()
    for lang in bilingual.FILES:
        bilingual.load_dictionary(lang)
    out: dict = {"index": str(args.index), "dictionary_load_seconds": round(time.perf_counter() - t0, 2),
                 "dictionaries": {lang: len(bilingual.load_dictionary(lang).entries) for lang in bilingual.FILES
                                  if bilingual.load_dictionary(lang)}, "variants": {}}
    english = [i for items in halves.values() for i in items if i.lang == "en"]
    plain = {i.question: translate_query(i.question, "none") for i in english}
    non_en = [i for items in halves.values() for i in items if i.lang != "en"]
    out["non_english_detected_as_english"] = [i.question for i in non_en if detect_language(i.question) == "en"]
    for name, build in variants(reader.chunks_with_term).items():
        changed = sum(build(i.question, i.lang) != plain[i.question] for i in english)
        row: dict = {"english_items": len(english), "english_queries_changed": changed}
        t0 = time.perf_counter()
        for half, items in halves.items():
            items = [i for i in items if i.lang != "en"]
            labelled = {i.question: i.lang for i in items}
            def search(q: str, build=build, labelled=labelled):
                question = Question(q, build(q, labelled[q]))
                return [p.to_dict() for p in wired.search(question, k=10).passages]
            report = run_eval(items, {"hybrid": search})["modes"]["hybrid"]["overall"]
            row[half] = {k: report[k] for k in ("n", "recall@1", "recall@5", "mrr@10")}
        row["seconds"] = round(time.perf_counter() - t0, 1)
        out["variants"][name] = row
        print(f"{name:36s} " + " | ".join(f"{h} n={row[h]['n']} R@1 {row[h]['recall@1']:.3f} R@5 {row[h]['recall@5']:.3f} "
                                          f"MRR {row[h]['mrr@10']:.3f}" for h in halves)
              + f" | en changed {changed}/{len(english)} ({row['seconds']} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1) + "\n")


if __name__ == "__main__":
    main()
