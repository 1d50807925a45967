"""FreeDict dictionaries read from dictd files, and the dictionary translation of fr/es/pt questions."""

from __future__ import annotations

import gzip
import logging

import pytest

from rag.text import bilingual, translation
from rag.text.bilingual import english_words, load_dictionary
from rag.text.translation import dictionary_query, translate_query

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
INSTALLED = all(load_dictionary(lang) is not None for lang in ("fr", "es", "pt"))
needs_freedict = pytest.mark.skipif(not INSTALLED, reason=f"apt-get install -y {bilingual.APT_PACKAGES}")


def _b64(n: int) -> str:
    out = ""
    while True:
        out = _B64[n % 64] + out
        n //= 64
        if not n:
            return out


def _write_dictd(folder, name: str, entries: dict[str, str]) -> None:
    """A dictd dictionary as dictfmt writes it: entries in a gzip file, offsets and lengths in base64."""
    data, index = b"", []
    for head, body in entries.items():
        raw = f"{head} /ipa/\n{body}\n".encode()
        index.append(f"{head}\t{_b64(len(data))}\t{_b64(len(raw))}")
        data += raw
    (folder / f"{name}.index").write_text("00databaseshort\tA\tB\n" + "\n".join(index) + "\n", encoding="utf-8")
    with gzip.open(folder / f"{name}.dict.dz", "wb") as fh:
        fh.write(data)


def _df(*corpus_words: str):
    """Chunks holding a word starting with `term`, over a tiny corpus vocabulary (the IndexReader contract)."""
    return lambda term: sum(w.startswith(term) for w in corpus_words)


def test_dictd_files_are_parsed_with_their_senses_in_order(tmp_path):
    _write_dictd(tmp_path, "freedict-fra-eng", {
        "enfant": "1. bairn, child, infant", "fièvre": "ague, fever (illness)",
        "mal de tête": "headache", "donner": "1. to give\n2. hand over"})
    table = load_dictionary("fr", tmp_path)
    assert table.entries["enfant"] == (("bairn", "child", "infant"),)
    assert table.entries["fievre"] == (("ague", "fever"),)  # accent folded, parenthesis dropped
    assert table.entries["donner"] == (("give",), ("hand over",))
    assert table.longest == 3
    assert load_dictionary("fr", tmp_path / "absent") is None


def test_corpus_restriction_elisions_plurals_and_multi_word_entries(tmp_path):
    _write_dictd(tmp_path, "freedict-fra-eng", {
        "enfant": "1. bairn, child, infant", "fièvre": "ague, fever", "mal": "1. evil, harm\n2. pain",
        "mal de tête": "headache", "tête": "head"})
    tables = [load_dictionary("fr", tmp_path)]
    df = _df("child", "children", "fever", "headache", "head", "paracetamol", "pain")
    english, rest = english_words("Du paracétamol pour les enfants avec fièvre et mal de tête ?", "fr", tables, df)
    assert english == ["child", "fever", "headache"]  # "bairn", "ague" are not in the corpus; one entry for the phrase
    assert rest == ["paracetamol"]
    english, _ = english_words("l'enfant", "fr", tables, df)
    assert english == ["child"]
    english, _ = english_words("l'enfant", "fr", tables, None)  # no corpus: the first senses as they are
    assert english == ["bairn", "child"]


def test_cognates_only_when_the_corpus_has_them(tmp_path):
    _write_dictd(tmp_path, "freedict-spa-eng", {"niño": "bairn, child"})
    tables = [load_dictionary("es", tmp_path)]
    english, rest = english_words("neumonía e infección en un niño", "es", tables, _df("infection", "child"))
    assert english == ["infection", "child"] and rest == ["neumonia"]
    english, rest = english_words("neumonía e infección en un niño", "es", tables, _df("infection", "child", "neumonia"))
    assert "neumonia" in rest  # a word the corpus has as written stays as it is
    assert english_words("infección", "es", tables, None) == ([], ["infeccion"])  # no corpus, no guess


def test_missing_dictionary_falls_back_to_the_glossary_with_a_notice(tmp_path, monkeypatch, caplog):
    monkeypatch.setattr(bilingual, "DICT_DIR", tmp_path)
    monkeypatch.setattr(translation, "_warned", set())
    question = "¿Cuántos días de zinc para un niño con diarrea?"
    with caplog.at_level(logging.WARNING, logger="rag.text.translation"):
        query = translate_query(question, "dictionary")
    assert query == translate_query(question, "glossary")
    assert "apt-get install -y dict-freedict" in caplog.text and question not in caplog.text


@needs_freedict
def test_installed_dictionaries_translate_each_language():
    df = _df("child", "children", "fever", "days", "diarrhoea", "cough", "zinc", "pregnant", "dose")
    fr = translate_query("Quelle dose de zinc faut-il donner à un enfant qui a de la fièvre ?", "dictionary", df)
    assert fr.language == "fr" and {"child", "fever", "zinc", "dose"} <= set(fr.lexical.split())
    es = translate_query("¿Cuántos días de zinc para un niño con diarrea?", "dictionary", df)
    assert {"child", "zinc"} <= set(es.lexical.split())
    # Portuguese has its own dictionary now: "criança" and "tosse" are not Spanish words.
    pt = dictionary_query("Uma criança com tosse e febre", "pt", df, neighbours=False)
    assert {"child", "cough", "fever"} <= set(pt.lexical.split())


@needs_freedict
def test_english_questions_are_untouched():
    for question in ("How many days of zinc for a child with diarrhoea?", "dose of amoxicillin for pneumonia"):
        assert translate_query(question, "dictionary", _df("child")) == translate_query(question, "none")


@needs_freedict
def test_glossary_then_dictionary_adds_what_the_glossary_lacks():
    question = "Uma criança com tosse e febre"  # Portuguese: the Spanish glossary knows none of these words
    df = _df("child", "cough", "fever")
    assert "child" not in translate_query(question, "glossary").lexical
    both = translate_query(question, "glossary+dictionary", df)
    assert {"child", "cough", "fever"} <= set(both.lexical.split())
