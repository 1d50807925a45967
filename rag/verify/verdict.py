"""The rules: one claim against one span -> supported | contradicted | unsupported, with a reason a
reader can check ("the guideline says 5 days, the claim says 10 days").

Mismatches are looked for only in a span about the same thing (it holds at least `RELATED` of
the claim's words); a claim is supported only when one span holds `SUPPORTED` of its words and
no rule finds a mismatch. Numbers, negation and the drug are never overruled by anything else.
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.types import Passage
from rag.verify.facts import Facts, Quantity, facts
from rag.verify.lexicon import POPULATION_OPPOSITES
from rag.verify.spans import Span

SUPPORTED = "supported"
CONTRADICTED = "contradicted"
UNSUPPORTED = "unsupported"
VERDICTS = (SUPPORTED, CONTRADICTED, UNSUPPORTED)

SUPPORT_COVERAGE = 0.7  # share of the claim's (weighted) words one span must hold
RELATED = 0.45  # below this the span is about something else: no contradiction can be read from it
HARD = ("number", "negation", "drug")  # mismatches an LLM judge may never overrule


@dataclass(frozen=True)
class Check:
    """The verdict of one claim against one span, why, and which rule decided."""

    verdict: str
    reason: str
    span: Span | None
    coverage: float
    rule: str  # number | negation | drug | route | population | restriction | coverage | none


def _compatible_comparator(claim: str, span: str) -> bool:
    if not claim or not span or claim == span:
        return True
    loose = {"range<", ""}
    if claim in loose and span in loose:
        return True
    return {claim, span} in ({"<", "<="}, {">", ">="}, {"range<", "<"})


def _match(q: Quantity, span: tuple[Quantity, ...]) -> Quantity | None:
    for p in span:
        if q.unit and p.unit and q.unit != p.unit:
            continue
        if (q.same_value(p) or q.within(p)) and _compatible_comparator(q.comparator, p.comparator):
            return p
    return None


def _quote(q: Quantity) -> str:
    return " ".join(q.text.split())


def check_numbers(claim: Facts, span: Facts) -> str | None:
    """None when every number of the claim is in the span with its unit, each span number used once
    ("40 mg artemether and 120 mg ... 40 mg" is not "20 mg ... 40 mg"); else the contradiction or gap."""
    free = list(span.quantities)
    unmatched = []
    for q in claim.quantities:
        m = _match(q, tuple(free))
        if m is None:
            unmatched.append(q)
        else:
            free.remove(m)
    for q in unmatched:
        rivals = [p for p in free if (p.unit == q.unit or p.unit is None or q.unit is None)]
        same_unit = [p for p in rivals if p.unit == q.unit] or rivals
        if same_unit:
            return f"contradicted:the guideline says {_quote(same_unit[0])}, the claim says {_quote(q)}"
        return f"unsupported:the evidence gives no {_quote(q)}"
    return None


# Words too common to tie a negation to a claim ("no dehydration ... children" is not about zinc).
_GENERIC = frozenset({"give", "child", "recommend", "patient", "dose", "treatme", "adult", "infant", "woman", "day",
                      "hours", "weeks", "months", "years", "mg", "kg", "older", "young", "case", "need", "can", "may"})


def _relevant_negations(words: set[str], span: Facts) -> list[str]:
    words = (words - _GENERIC) or words  # "do not give to patients": only generic words, then they must do
    return [cue for cue, scope in span.negations if words & set(scope)]


def check_negation(claim: Facts, span: Facts) -> str | None:
    """A claim that negates what the span affirms, or affirms what the span negates (a negation counts
    where it bears on the same words: "no dehydration ... children" says nothing about zinc)."""
    claim_neg = [cue for cue, _ in claim.negations]
    negated = {w for _, scope in claim.negations for w in scope}
    if claim_neg and not _relevant_negations(negated, span):
        return f"the claim says '{claim_neg[0]}', the guideline states it without negation"
    span_neg = _relevant_negations(set(claim.words), span)
    if span_neg and not claim_neg:
        return f"the guideline says '{span_neg[0]}' here, the claim has no negation"
    return None


def check_drugs(claim: Facts, span: Facts) -> str | None:
    missing = sorted(claim.drugs - span.drugs)
    if not missing:
        return None
    others = sorted(span.drugs - claim.drugs)
    if others:
        return f"contradicted:the guideline names {', '.join(others)}, the claim says {', '.join(missing)}"
    return f"unsupported:the evidence does not mention {', '.join(missing)}"


def check_route(claim: Facts, span: Facts) -> str | None:
    """A route the claim adds where the span names its own: "slow oral infusion" against "slow IV infusion"
    (the claim's "infusion" is the span's IV, but the span gives no oral route)."""
    missing = claim.routes - span.routes
    if missing and span.routes:
        return f"the guideline says {', '.join(sorted(span.routes))}, the claim says {', '.join(sorted(missing))}"
    return None


def check_population(claim: Facts, span: Facts, passage: Facts | None = None) -> tuple[str, str] | None:
    """(verdict, reason) for a claim about a population the span does not name, where the span (or, when the
    span names none, its passage) names the opposite one (children/adults) and never the claim's."""
    missing = claim.populations - span.populations
    if not missing:
        return None
    clash = _opposed(missing, span.populations - claim.populations)
    if clash:
        return CONTRADICTED, f"the guideline is about {', '.join(clash)}, the claim about {', '.join(sorted(missing))}"
    also = _opposed(missing, span.populations)  # the claim names the span's population and its opposite too
    if also:
        return UNSUPPORTED, (f"the guideline states this for {', '.join(also)}, not for "
                             f"{', '.join(sorted(missing - span.populations))}")
    if passage is not None and not span.populations:
        # "Child 1200 mg once daily ..." against a row under the passage's "Adult:" line
        about = _opposed(missing - passage.populations, passage.populations - claim.populations)
        if about:
            return CONTRADICTED, (f"the guideline passage is about {', '.join(about)}, the claim about "
                                  f"{', '.join(sorted(missing - passage.populations))}")
    return None


def _opposed(claimed: set[str] | frozenset[str], named: set[str] | frozenset[str]) -> list[str]:
    return sorted({o for m in claimed for o in named if frozenset((m, o)) in POPULATION_OPPOSITES})


def check_restriction(claim: Facts, span: Facts) -> str | None:
    lost = [r for r in span.restrictions if r not in claim.restrictions]
    return f"the guideline restricts this ('{lost[0]}'), the claim does not" if lost else None


def judge_span(claim: Facts, span: Span, coverage: float) -> Check:
    """Every rule, hard ones first; the first mismatch decides."""
    if coverage < RELATED:
        return Check(UNSUPPORTED, f"no guideline passage states this (closest holds {coverage:.0%} of its words)",
                     span, coverage, "coverage")
    for rule, found in (("drug", check_drugs(claim, span.facts)), ("number", check_numbers(claim, span.facts))):
        if found:
            verdict, reason = found.split(":", 1)
            return Check(verdict, reason, span, coverage, rule)
    negation = check_negation(claim, span.facts)
    if negation:
        return Check(CONTRADICTED, negation, span, coverage, "negation")
    route = check_route(claim, span.facts)
    if route:
        return Check(CONTRADICTED, route, span, coverage, "route")
    population = check_population(claim, span.facts, facts(span.passage.text) if claim.populations else None)
    if population:
        return Check(population[0], population[1], span, coverage, "population")
    restriction = check_restriction(claim, span.facts)
    if restriction:
        return Check(UNSUPPORTED, restriction, span, coverage, "restriction")
    if coverage < SUPPORT_COVERAGE:
        return Check(UNSUPPORTED, f"the closest guideline sentence holds only {coverage:.0%} of the claim's words",
                     span, coverage, "coverage")
    return Check(SUPPORTED, "the guideline states this" + where(span.passage), span, coverage, "none")


def where(p: Passage) -> str:
    """' (title, p. 12)' or ' (title, lines 3-9)': where a verdict's evidence is."""
    at = f", p. {p.pages[0]}" if p.pages else (f", lines {p.lines[0]}-{p.lines[1]}" if p.lines else "")
    return f" ({p.title}{at})"


def decide(claim: Facts, scored: list[tuple[float, Span]]) -> Check:
    """The verdict over the best spans: supported if one span supports it; else the best-covering
    contradiction; else unsupported with the closest span."""
    if not claim.words:
        return Check(UNSUPPORTED, "the sentence makes no checkable claim", None, 0.0, "coverage")
    if not scored:
        return Check(UNSUPPORTED, "no guideline passage was found for this claim", None, 0.0, "coverage")
    checks = [judge_span(claim, span, cov) for cov, span in scored]
    for verdict in (SUPPORTED, CONTRADICTED):
        found = [c for c in checks if c.verdict == verdict]
        if found:
            return max(found, key=lambda c: c.coverage)
    return checks[0]
