"""`gqa eval QUESTIONS.jsonl`: retrieval recall@k and MRR@10 (by style, language, type, document; alternative
golds credited), abstention and false abstention, the misses; `--compare` against an earlier report; `--answers`
for answer-level figures."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from api.cli.common import IndexOption, JsonOption, load_settings, print_json
from rag.errors import BadRequest
from rag.retrieval.evaluation import KS, abstention_report, compare_ranks, labelled, load_items, run_eval, search_modes
from rag.wiring import build_qa, build_retriever

COLUMNS = [f"recall@{k}" for k in KS] + ["mrr@10"]
SETTINGS_REPORTED = ("retrieval_mode", "candidates", "rrf_k", "dense_weight", "lexical_weight", "dedup_threshold",
                     "query_translation", "reranker_model", "rerank_candidates", "embedding_model", "abstain_model")


def _table(title: str, rows: dict[str, dict]) -> Table:
    table = Table(title=title)
    for col in ["", "n", *COLUMNS]:
        table.add_column(col, justify="right" if col else "left")
    for name, m in rows.items():
        table.add_row(name, str(m["n"]), *(f"{m[c]:.3f}" for c in COLUMNS))
    return table


def print_report(report: dict, console: Console) -> None:
    """Readable form: one table per mode, the ablation side by side, then the misses."""
    modes = report["modes"]
    for name, r in modes.items():
        rows = {"overall": r["overall"], "strict": r["strict"]}
        rows |= {f"style={k}": v for k, v in r["by_style"].items()}
        rows |= {f"lang={k}": v for k, v in r["by_lang"].items()}
        rows |= {f"lang={k}": v for k, v in r["by_lang_group"].items() if k == "non_en"}
        console.print(_table(f"{name} ({report['answerable']} answerable questions)", rows))
    if len(modes) > 1:
        console.print(_table("ablation (overall)", {n: r["overall"] for n, r in modes.items()}))
        console.print(_table("ablation (English)", {n: r["by_lang_group"]["en"] for n, r in modes.items()}))
    if report.get("abstention"):
        a = report["abstention"]
        console.print(f"\nabstention on {a['unanswerable']} unanswerable: {a['abstention']}; "
                      f"false abstention on {a['answerable']} answerable: {a['false_abstention']}", highlight=False)
        for q in a["answered_unanswerable"]:
            console.print(f"  answered (should abstain) {q['id']}: {q['question']}", highlight=False)
        for q in a["abstained_answerable"]:
            console.print(f"  abstained (should answer) {q['id']}: {q['question']}", highlight=False)
    if report.get("compare") is not None:
        console.print(f"\n[bold]{len(report['compare'])} rank changes[/] against {report['compared_with']}")
        for c in report["compare"]:
            console.print(f"  {c['id']}: {c['before'] or '-'} -> {c['after'] or '-'}", highlight=False)
    if report.get("answers"):
        a = report["answers"]
        console.print(f"\nanswers: {a['n']} asked, abstained {a['abstained']}, cites a gold page "
                      f"{a.get('cites_gold_page')}, quotes verbatim {a['quotes']['share_verbatim']}, sentences "
                      f"supported {a['sentences']['share_supported']}", highlight=False)
        for note in a.get("notes", []):
            console.print(f"  note: {note}", highlight=False)
    if not modes:
        return
    main = list(modes)[-1]
    misses = modes[main]["misses"]
    console.print(f"\n[bold]{len(misses)} misses[/] ({main}: no hit in the top 5)")
    for m in misses:
        gold = m["gold"]
        where = f"pp. {gold['pages']}" if gold["pages"] else f"lines {gold['lines']}"
        console.print(f"\n[bold]{m['id']}[/] [{m['style']}/{m['lang']}] {m['question']}", highlight=False)
        console.print(f"  gold: {gold['doc']} {where}; first hit at {m['first_hit_rank'] or '-'}", highlight=False)
        console.print(f"  evidence: {m['evidence']}", highlight=False)
        for n, p in enumerate(m["top3"], start=1):
            place = f"pp. {p['pages']}" if p["pages"] else f"lines {p['lines']}"
            console.print(f"  got {n}: {p['source']} {place} | {p['section'][-50:]} | {p['text'][:120]}", highlight=False)


def eval_command(
    questions: Annotated[Path, typer.Argument(exists=True, dir_okay=False, help="Eval JSONL (benchmarks/questions/README.md).")],
    ablation: Annotated[bool, typer.Option("--ablation", help="Compare dense, lexical, hybrid (and +rerank).")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="Write the JSON report to this file.")] = None,
    compare: Annotated[Path | None, typer.Option("--compare", exists=True, dir_okay=False,
                                                 help="An earlier --report: print each question's rank change.")] = None,
    answers: Annotated[bool, typer.Option("--answers", help="Also run `ask` on every question: gold citations, "
                                          "verbatim quotes, sentence support.")] = False,
    index: IndexOption = None,
    as_json: JsonOption = False,
) -> None:
    """Score retrieval and abstention on an eval set: recall@1/3/5/10, MRR@10, abstention, false abstention."""
    items = load_items(questions)
    gold = labelled(items)
    if not gold and not answers:
        raise BadRequest(f"{questions}: no item has a gold label (doc, pages/lines, evidence, or type "
                         "'unanswerable'), so there is nothing to score; add labels (see the eval format in the "
                         "README) or use --answers for the label-free answer figures")
    settings = load_settings(index)
    retriever = build_retriever(settings)
    t0 = time.perf_counter()
    qa = build_qa(settings, retriever=retriever)
    result: dict = {"items": len(items), "answerable": 0, "modes": {}}
    if gold:
        result = run_eval(items, search_modes(retriever, ablation))
        result["abstention"] = abstention_report(items, lambda q: qa.retrieve(q).refuse)
    if answers:
        from rag.answering.answer_eval import evaluate_answers, index_page_text

        result["answers"] = evaluate_answers(items, qa.ask, index_page_text(retriever.reader()))
    reader = retriever.reader()
    result |= {"questions": str(questions), "index": str(settings.index), "index_version": reader.version,
               "settings": {k: getattr(settings, k) for k in SETTINGS_REPORTED},
               "seconds": round(time.perf_counter() - t0, 2)}
    if compare is not None:
        result["compared_with"] = str(compare)
        result["compare"] = compare_ranks(json.loads(compare.read_text()), result)
    if report is not None:
        report.parent.mkdir(parents=True, exist_ok=True)
        tmp = report.with_suffix(report.suffix + ".tmp")
        tmp.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str) + "\n")
        tmp.replace(report)
    if as_json:
        print_json(result)
    else:
        print_report(result, Console())
