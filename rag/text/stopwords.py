"""Word lists, one per purpose; each says what it is for, since the purposes want different words."""

from __future__ import annotations

# Content words (rag.text.words.content_words): what a claim must share with its passage, what
# abstention counts as the question's topic, what the extractive answer scores sentences by.
CONTENT_STOPWORDS = frozenset("""
a an and are as at be been being but by can could did do does doing for from had has have how i if in into
is it its may me might must my no not of on or our should so such than that the their them then there these
they this those to up us was we were what when where which while who whom why will with would you your
about above after again all also am any because before below between both during each few further here
more most nor off once only other out over own same some too under until very just give given use used using
per s t de la le les des du un une et en est pour que qui dans avec sur au aux ce cette quel quelle quels
quelles comment il elle on ou par pas se sont el los las del y un una para con por que es se al lo como cual
cuál qué cómo cuando cuándo debe doit faut hay
""".split())

# Question words and function words: an OR query over them matches every chunk and drowns the
# content words' BM25 signal. Clinical words ("dose", "child", "severe") are kept on purpose.
QUERY_STOPWORDS = frozenset(
    """a about above after again against all am an and any are as at be because been before being below
    between both but by can could did do does doing down during each few for from further had has have
    having he her here hers him his how i if in into is it its itself just me more most my no nor not of
    off on once only or other our out over own same she should so some such than that the their them then
    there these they this those through to too under until up very was we were what when where which while
    who whom why will with would you your yours give given get use used need needs much many long
    le la les de des du un une et ou est en pour avec dans que qui quel quelle quels quelles au aux il
    elle faut on ce cette ces son sa ses par sur pas plus ne se peut doit
    el los las del una y es para con por que cual cuales como se su sus al lo le hay debe puede""".split()
)

# Words that never name a document ("the WHO pocket book", "Uganda protocol"): rag.retrieval.named_sources.
NAME_STOPWORDS = frozenset({"the", "of", "for", "and", "in", "on", "to", "a", "an", "with", "by", "de", "la", "le",
                            "el", "y", "et", "who", "pdf", "md", "ed", "th", "rd", "nd", "st"})

# Function words that tell a text's language (rag.text.language.detect_language): common in one language,
# rare in English (two of the three Romance languages may share one: the spelling signs then decide).
LANGUAGE_MARKERS = {
    "fr": frozenset("le la les des du un une est et pour avec dans quelle quel quels quelles faut il elle "
                       "qu que chez combien au aux ou donner faire peut doit jours enfant mon ma mes son sa ses ce cette ces "
                       "sont je nous vous ils elles sur pas ne très aussi comment pourquoi où quand".split()),
    "es": frozenset("el los las del una es y para con en cual cuál cuales qué que debe se puede hay "
                       "cuándo cuando cuánto cuantos días niño niña dar mi mis su sus tiene tengo está están puedo cómo dónde "
                       "por muy también pero sin sobre hijo hija".split()),
}
ENGLISH_MARKERS = frozenset(("the", "of", "and", "for", "what", "when", "how", "is", "a", "in", "with"))
LANGUAGE_MARKERS["pt"] = frozenset("não uma umas você qual quais quando criança crianças dias deve pode com pelo pela "
                               "são também meu minha meus minhas seu sua tem têm está estão posso devo os da dos "
                               "das nos nas ao aos isso esse essa este muito já filho filha".split())
