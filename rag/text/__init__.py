"""Text handling shared by every stage: words, stopwords, sentences, language, questions."""
