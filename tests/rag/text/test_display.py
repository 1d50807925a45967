"""display_text: readable text of a verbatim source span; display_answer keeps our [n] markers."""

from __future__ import annotations

from rag.text.display import display_answer, display_text, neutralise_markers, repair_letter_spacing


def test_markdown_emphasis_headings_bullets_and_table_pipes_are_stripped():
    assert display_text("*S. haematobium*: 40 mg/kg") == "S. haematobium: 40 mg/kg"
    assert display_text("**Chronic phase**") == "Chronic phase"
    assert display_text("## 3.4 Drug classes") == "3.4 Drug classes"
    assert display_text("- - Up to 30% of cases") == "Up to 30% of cases"
    table = "| Age | Dose |\n|---|---|\n| 2 to < 8 years | 500 mg x 3 |"
    assert display_text(table) == "Age · Dose\n2 to < 8 years · 500 mg x 3"


def test_a_table_flattened_onto_one_line_loses_its_rule_and_empty_cells_but_no_value():
    """An answer line can hold a whole table window: its |---| rule and blank cells are no reading matter."""
    flat = "ACT | Presentation | Dosage | | --- | --- | --- | | | Blister 6 tab | | 80 mg/480 mg | => 1 tab 2 times daily |"
    assert display_text(flat) == "ACT · Presentation · Dosage · Blister 6 tab · 80 mg/480 mg · => 1 tab 2 times daily"
    assert display_text("Give 2·5 mg (UK decimal point) · then 5 mg") == "Give 2·5 mg (UK decimal point) · then 5 mg"
    assert display_text("Range 1 --- 3 mg") == "Range 1 --- 3 mg"  # a dash run outside table pipes stays


def test_letter_spacing_is_repaired_but_real_two_word_phrases_are_kept():
    assert repair_letter_spacing("4. RECOMMENDA TION ON DRUG CLASSES") == "4. RECOMMENDATION ON DRUG CLASSES"
    assert repair_letter_spacing("TREAT MENT") == "TREATMENT"
    assert repair_letter_spacing("WHO AND UNICEF") == "WHO AND UNICEF"
    assert repair_letter_spacing("FIRST LINE AGENTS") == "FIRST LINE AGENTS"
    assert display_text("4. RECOMMENDA TION ON DRUG CLASSES") == "4. RECOMMENDATION ON DRUG CLASSES"


def test_hyphenation_is_rejoined_except_before_and_or():
    assert display_text("it is recom- mended") == "it is recommended"
    assert display_text("low- and middle-income countries") == "low- and middle-income countries"


def test_source_footnote_markers_are_removed():
    assert display_text("develop organ damage:\\(^ [2]\\)") == "develop organ damage:"
    assert display_text("given daily¹ and weekly^3 here[4].") == "given daily and weekly here."
    assert neutralise_markers("the infants\\[2\\] and adults [3] too") == "the infants and adults too"
    assert display_text("at 14 weeks\\(^a\\) - 4 dose schedule") == "at 14 weeks - 4 dose schedule"


def test_display_answer_keeps_our_markers_and_drops_the_footnote():
    answer = "- - Up to 30% of cases develop organ damage:\\(^ [2]\\) [1]\n- **Chronic phase** follows. [3]"
    assert display_answer(answer) == "- Up to 30% of cases develop organ damage: [1]\n- Chronic phase follows. [3]"
    assert display_answer("Give 10 mg/kg [1] then 5 mg/kg [2].") == "Give 10 mg/kg [1] then 5 mg/kg [2]."
