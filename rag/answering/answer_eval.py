"""Answer-level evaluation of the free-text path (`gqa eval --answers`): run `ask` over eval items and
report abstention, false abstention, answers citing a gold page, quotes found verbatim on their
source pages, and the share of answer sentences supported (and contradicted, when the sentence
check gives verdicts). With GQA_GENERATOR=openai this measures the served model's faithfulness.

Gold rules are rag.retrieval.evaluation's (a cited passage from the gold document overlapping the
gold pages or lines; or holding an evidence phrase). A file without gold labels gets the
label-free figures only, and says so, instead of a row of zeros.
"""

from __future__ import annotations

from collections.abc import Callable

from rag.errors import GuidelineQAError
from rag.retrieval.evaluation import EvalItem, has_evidence, is_strict_hit, normalize_versions
from rag.types import Answer, Citation

PageText = Callable[[str, int], str | None]  # (doc_id, physical page) -> the page's text


def _share(k: int, n: int) -> float | None:
    return round(k / n, 4) if n else None


def quote_on_page(citation: Citation, page_text: PageText | None = None) -> bool:
    """Whether the quote occurs verbatim (after the eval normalisation) on the cited pages, or in the
    cited passage's text when the pages are unknown (unpaged formats, no index at hand)."""
    p = citation.passage
    texts = [page_text(p.doc_id, n) for n in (p.pages or [])] if page_text else []
    source = "\n".join(t for t in texts if t) or p.text
    quote = normalize_versions(citation.quote)
    return bool(citation.quote.strip()) and any(q and q in v for q in quote for v in normalize_versions(source))


def _cites(answer: Answer, item: EvalItem) -> tuple[bool, bool]:
    strict = any(is_strict_hit(c.to_dict(), item) for c in answer.citations)
    loose = strict or any(has_evidence(c.passage.text, item.evidence) for c in answer.citations)
    return strict, loose


def _verdict(sentence) -> str | None:
    return getattr(sentence, "verdict", None)  # set by the claim verifier where it runs; absent otherwise


def evaluate_answers(items: list[EvalItem], ask: Callable[[str], Answer], page_text: PageText | None = None) -> dict:
    """Ask every item's question and report abstention, gold citations, verbatim quotes and sentence support."""
    labelled = any(i.doc is not None or i.type == "unanswerable" for i in items)
    rows, errors = [], 0
    for item in items:
        try:
            answer = ask(item.question)
        except GuidelineQAError as exc:
            errors += 1
            rows.append({"id": item.id, "error": str(exc)})
            continue
        quotes = [quote_on_page(c, page_text) for c in answer.citations]
        verdicts = [_verdict(s) for s in answer.sentences]
        row = {"id": item.id, "answerable": item.answerable, "abstained": answer.abstained,
               "citations": len(answer.citations), "quotes_verbatim": sum(quotes), "quotes": len(quotes),
               "sentences": len(answer.sentences), "supported": sum(s.supported for s in answer.sentences),
               "contradicted": sum(v == "contradicted" for v in verdicts), "has_verdicts": any(verdicts),
               "error": None}
        if labelled and item.answerable and not answer.abstained:
            row["cites_gold_page"], row["cites_gold_or_evidence"] = _cites(answer, item)
        rows.append(row)
    return _report(rows, labelled, errors)


def _report(rows: list[dict], labelled: bool, errors: int) -> dict:
    ok = [r for r in rows if not r["error"]]
    answered = [r for r in ok if not r["abstained"]]
    n_quotes, n_sent = sum(r["quotes"] for r in ok), sum(r["sentences"] for r in answered)
    verdicts = any(r["has_verdicts"] for r in ok)
    report = {
        "n": len(rows), "errors": errors, "labelled": labelled,
        "abstained": sum(r["abstained"] for r in ok), "abstention_rate": _share(len(ok) - len(answered), len(ok)),
        "quotes": {"n": n_quotes, "verbatim": sum(r["quotes_verbatim"] for r in ok),
                   "share_verbatim": _share(sum(r["quotes_verbatim"] for r in ok), n_quotes)},
        "sentences": {"n": n_sent, "supported": sum(r["supported"] for r in answered),
                      "share_supported": _share(sum(r["supported"] for r in answered), n_sent),
                      "contradicted": sum(r["contradicted"] for r in answered) if verdicts else None,
                      "share_contradicted": _share(sum(r["contradicted"] for r in answered), n_sent) if verdicts else None},
        "notes": [], "items": rows,
    }
    if not verdicts:
        report["notes"].append("no sentence verdicts (contradicted) from this answer path: only 'supported' is measured")
    if not labelled:
        report["notes"].append("the question file has no gold labels (doc/pages or type 'unanswerable'): false "
                               "abstention and gold citations cannot be measured")
        report |= {"answerable": None, "false_abstention": None, "correct_abstention": None,
                   "cites_gold_page": None, "cites_gold_or_evidence": None}
        return report
    answerable = [r for r in ok if r["answerable"]]
    unanswerable = [r for r in ok if not r["answerable"]]
    gold = [r for r in answerable if not r["abstained"]]
    report |= {"answerable": len(answerable),
               "false_abstention": _share(sum(r["abstained"] for r in answerable), len(answerable)),
               "correct_abstention": _share(sum(r["abstained"] for r in unanswerable), len(unanswerable)),
               "cites_gold_page": _share(sum(r["cites_gold_page"] for r in gold), len(gold)),
               "cites_gold_or_evidence": _share(sum(r["cites_gold_or_evidence"] for r in gold), len(gold))}
    return report


def index_page_text(reader) -> PageText:
    """Page texts from an open IndexReader (its `page(doc_id, n)`)."""
    def page_text(doc_id: str, page: int) -> str | None:
        row = reader.page(doc_id, page)
        return row[0] if row else None
    return page_text
