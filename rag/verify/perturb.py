"""True statements and their perturbations, for measuring the verifier (benchmarks/verify.py, tests).

From one guideline sentence: a light paraphrase (synonyms, word order kept), and one of each error a
model makes: a number changed, the negation flipped, the drug swapped, the population or route swapped.
Each returns None when the sentence has nothing of that kind to change.
"""

from __future__ import annotations

import re

from rag.verify.facts import facts, is_drug, parse_value, quantities
from rag.verify.lexicon import NOT_ROUTES, ROUTE_GROUPS, ROUTES

_PARAPHRASE = [  # (pattern, replacement): light, meaning-preserving rewrites
    (r"\bgive\b", "administer"), (r"\bGive\b", "Administer"), (r"\bgiven\b", "administered"),
    (r"\bshould receive\b", "should be given"), (r"\bis recommended\b", "is advised"),
    (r"\bare recommended\b", "are advised"), (r"\brecommended\b", "advised"), (r"\bpatients\b", "people"),
    (r"\bweighing\b", "with a body weight of"), (r"\btwice daily\b", "two times a day"),
    (r"\bonce daily\b", "once a day"), (r"\bfor example\b", "e.g."), (r"\bimmediately\b", "at once"),
    (r"\bapproximately\b", "about"), (r"\bhowever\b", "but"), (r"\bmust\b", "should"),
    (r"\bchildren\b", "children"),
]
_SWAP_DRUG = ["amoxicillin", "ceftriaxone", "artesunate", "paracetamol", "metronidazole", "praziquantel",
              "chloroquine", "gentamicin", "amlodipine", "diazepam"]
_POPULATION = [("children", "adults"), ("child", "adult"), ("infants", "adults"), ("adults", "children"),
               ("adult", "child"), ("pregnant women", "children"), ("pregnancy", "childhood"), ("neonates", "adults"),
               ("women", "men")]
# Route swaps come from the lexicon's cues (lexicon.ROUTES), so every canonical route it reads can be swapped.
_ROUTE_NOUNS = frozenset({"infusion", "suppository", "inhaler", "ng tube"})  # cues a route word cannot replace
_ROUTE_ABBREVIATIONS = frozenset({"iv", "im", "po", "sc"})


def _route_form(cue: str) -> str:
    """How a route cue is used: 'adverb' ("orally", "by mouth"), 'abbreviation' ("IV"), 'noun' ("infusion"),
    else 'adjective' ("oral", "sublingual")."""
    if cue in _ROUTE_NOUNS:
        return "noun"
    if cue in _ROUTE_ABBREVIATIONS:
        return "abbreviation"
    if cue.endswith("ly") or cue.split()[0] in ("by", "per"):
        return "adverb"
    return "adjective"


def _route_words() -> dict[str, dict[str, str]]:
    """canonical route -> {'adjective': cue, 'adverb': cue}: words the verifier reads as that route."""
    out: dict[str, dict[str, str]] = {}
    for cue, route in ROUTES.items():
        form = _route_form(cue)
        if form == "adjective" and " " not in cue:
            have = out.setdefault(route, {}).get("adjective")
            # the canonical name itself ("oral"), else the longest ("intravenous" over "infusion")
            if have is None or (have != route.lower() and (cue == route.lower() or len(cue) > len(have))):
                out[route]["adjective"] = cue
        elif form == "adverb" and cue.endswith("ly"):
            out.setdefault(route, {}).setdefault("adverb", cue)
    return out


_ROUTE_WORDS = _route_words()
_ROUTE_CUES = re.compile(r"\b(" + "|".join(re.escape(c) for c in sorted(ROUTES, key=len, reverse=True)
                                          if _route_form(c) != "noun") + r")\b", re.IGNORECASE)
_NOT_ROUTE = re.compile(r"\b(?:" + "|".join(re.escape(c) for c in NOT_ROUTES) + r")\b", re.IGNORECASE)


def _group(route: str) -> str:
    return ROUTE_GROUPS.get(route, route)


def _swap_route(text: str, present: frozenset[str]) -> str | None:
    """The first route word replaced by another canonical route's word of the same form ("sublingually" ->
    "intravenously", "oral" -> "intravenous"; "IV" -> "oral"): oral for a parenteral route, else IV, else the
    first route (sorted) of another group the sentence does not name. Anatomy ("buccal mucosa") is no route."""
    anatomy = [m.span() for m in _NOT_ROUTE.finditer(text)]
    for m in _ROUTE_CUES.finditer(text):
        if any(s < m.end() and m.start() < e for s, e in anatomy):
            continue
        cue = m.group(0)
        source = ROUTES[cue.lower()]
        form = "adverb" if _route_form(cue.lower()) == "adverb" else "adjective"
        preferred = ["oral", "IV"] if _group(source) == "parenteral" else ["IV", "oral"]
        for target in [*preferred, *sorted(_ROUTE_WORDS, key=str.lower)]:
            word = _ROUTE_WORDS.get(target, {}).get(form)
            if word and target not in present and _group(target) != _group(source):
                if m.start() == 0 or (cue[0].isupper() and not cue.isupper()):
                    word = word[0].upper() + word[1:]
                article = "n " if word[0] in "aeiouAEIOU" else " "  # "a transdermal patch" -> "an intravenous patch"
                before = re.sub(r"\b([Aa])n? $", lambda a, article=article: a.group(1) + article, text[:m.start()])
                return before + word + text[m.end():]
    return None


def paraphrase(text: str) -> str | None:
    """Synonyms for a few words; None when nothing would change."""
    out = text
    for pattern, repl in _PARAPHRASE:
        out = re.sub(pattern, repl, out, count=1)
    out = re.sub(r"\s*\((?:see|Table|Annex|Box|Chart)[^)]*\)", "", out)  # cross-references say nothing
    return out if out != text else None


def change_number(text: str) -> str | None:
    """The first number with a unit (else the first number) doubled, or +1 when it is 0 or a fraction."""
    qs = [q for q in quantities(text) if q.unit] or list(quantities(text))
    if not qs:
        return None
    q = qs[0]
    start = text.index(q.text)
    # every number of a range changes with it ("10-14 days" -> "20-28 days"), else the range would still hold it
    changed = re.sub(r"\d+(?:[.,]\d+)?|[½¼¾]", _doubled, q.text, count=1 if q.lo == q.hi else 2)
    return text[:start] + changed + text[start + len(q.text):] if changed != q.text else None


def _doubled(m: re.Match) -> str:
    value = parse_value(m.group(0))
    return f"{value * 2 if value >= 1 else value + 1:g}"


def flip_negation(text: str) -> str | None:
    """'do not give' -> 'give', 'is not' -> 'is', 'give' -> 'do not give', 'is' -> 'is not'."""
    for pattern, repl in ((r"\b([Dd])o not ", lambda m: ""), (r"\b(should|must|can|may|need|does|did|is|are|was|were) not\b",
                                                          lambda m: m.group(1)),
                          (r"\bnot\b ?", lambda m: ""), (r"\bcontraindicated\b", lambda m: "recommended"),
                          (r"\b[Aa]void\b", lambda m: "Use")):
        if re.search(pattern, text):
            out = re.sub(pattern, repl, text, count=1)
            return out[:1].upper() + out[1:]
    for pattern, repl in ((r"\b(should|must|can|may|will) ", r"\1 not "), (r"\b(is|are) ", r"\1 not "),
                          (r"^(Give|Treat|Use|Refer|Start|Admit|Continue) ", lambda m: "Do not " + m.group(1).lower() + " ")):
        if re.search(pattern, text):
            return re.sub(pattern, repl, text, count=1)
    return None


def swap_drug(text: str) -> str | None:
    """The first drug name replaced by one the sentence does not name."""
    words = re.findall(r"[A-Za-z][A-Za-z-]+", text)
    drugs = [w for w in words if is_drug(w)]
    if not drugs:
        return None
    named = {d.lower() for d in drugs}
    other = next(d for d in _SWAP_DRUG if d not in named and not any(d in n for n in named))
    first = drugs[0]
    repl = other.capitalize() if first[0].isupper() else other
    return re.sub(rf"\b{re.escape(first)}\b", repl, text, count=1)


def swap_population_or_route(text: str) -> str | None:
    """The population (children <-> adults, pregnant women -> children) or else the route (IV <-> oral, any route
    of lexicon.ROUTES to another) swapped."""
    present = facts(text)
    for old, new in _POPULATION:
        if re.search(rf"\b{old}\b", text, re.IGNORECASE) and new not in text.lower():
            return re.sub(rf"\b{old}\b", lambda m, new=new: new.capitalize() if m.group(0)[0].isupper() else new, text,
                          count=1, flags=re.IGNORECASE)
    return _swap_route(text, present.routes) if present.routes else None


PERTURBATIONS = {"number": change_number, "negation": flip_negation, "drug": swap_drug,
                 "population_route": swap_population_or_route}
