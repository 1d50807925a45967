"""The English words a fr/es/pt question's answerability is judged by, and the language detector's
function words and French-only spellings."""

from __future__ import annotations

from rag.text.bilingual import answerability_words, load_dictionary
from rag.text.language import detect_language
from tests.rag.text.test_bilingual import _df, _write_dictd


def _dictionary(folder, name: str, entries: dict[str, str]):
    _write_dictd(folder, name, entries)
    return load_dictionary({"freedict-spa-eng": "es", "freedict-fra-eng": "fr"}[name], folder)


def test_names_become_their_english_spelling_and_ordinary_words_the_corpus_lacks_are_dropped(tmp_path):
    # "crup" and "talón" are Spanish words: absent from an English corpus because they are not English.
    table = _dictionary(tmp_path, "freedict-spa-eng", {"niño": "child", "grave": "severe", "crup": "croupe",
                                                         "talón": "talon"})
    df = _df("child", "severe", "dexamethasone", "ibuprofen", "phenobarbital", "dose")
    words = answerability_words("Dexametasona, ibuprofeno o fenobarbital para un niño grave con crup y dolor de talón",
                                "es", [table], df).split()
    assert {"dexamethason", "ibuprofen", "phenobarbital", "child", "severe"} <= set(words)
    assert not {"crup", "talon", "dexametasona", "ibuprofeno"} & set(words)


def test_a_name_the_corpus_lacks_stays_so_a_near_miss_still_looks_like_one(tmp_path):
    table = _dictionary(tmp_path, "freedict-spa-eng", {"niño": "child", "dosis": "dose"})
    words = answerability_words("dosis de valaciclovir para un niño", "es", [table], _df("child", "dose")).split()
    assert "valaciclovir" in words


def test_function_words_and_french_spellings_tell_the_language():
    assert detect_language("O meu filho tem febre. Posso dar paracetamol?") == "pt"
    assert detect_language("posologie racécadotril diarrhée aiguë enfant") == "fr"
    assert detect_language("Mi hijo tiene fiebre, ¿puedo darle paracetamol?") == "es"
    assert detect_language("Can my son have paracetamol for the fever?") == "en"
