"""Query language detection and the glossary translation of French and Spanish questions."""

from __future__ import annotations

from rag.text.translation import detect_language, translate_query


def test_language_detection_and_glossary_translation():
    assert detect_language("Quelle dose de zinc faut-il donner à un enfant ?") == "fr"
    assert detect_language("¿Cuántos días de zinc para un niño con diarrea?") == "es"
    assert detect_language("How many days of zinc for a child with diarrhoea?") == "en"
    query = translate_query("¿Cuántos días de zinc para un niño con diarrea?")
    assert {"days", "zinc", "child", "diarrhoea"} <= set(query.lexical.split())
    assert translate_query("¿Cuántos días de zinc?", "none").lexical == "¿Cuántos días de zinc?"
