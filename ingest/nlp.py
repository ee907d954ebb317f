"""The French spaCy pipeline (sentences and named entities) and language detection."""
from __future__ import annotations

import re
from functools import lru_cache

ENTITY_KEYS = {"ORG": "organisations", "LOC": "places", "PER": "people"}


@lru_cache(maxsize=1)
def french_pipeline():
    import spacy

    # The parser gives sentence boundaries and NER the entities; the rest is not needed here.
    return spacy.load("fr_core_news_md", exclude=["lemmatizer", "morphologizer", "attribute_ruler"])


def flatten_lines(text: str) -> str:
    """Hard line breaks inside a paragraph become spaces (same length, so offsets hold);
    blank lines and bullet points still break."""
    chars = list(text)
    for i, ch in enumerate(chars):
        if ch == "\n":
            prev_blank = i > 0 and text[i - 1] == "\n"
            next_break = text[i + 1:i + 2] in ("\n", "•", "▪") or text[i + 1:i + 3] in ("- ", "o ")
            if not (prev_blank or next_break):
                chars[i] = " "
    return "".join(chars)


# Frequent function words: a passage full of French ones and free of English ones is French
# without asking langdetect (its n-gram sampling is a third of the pipeline's own cost otherwise).
FRENCH_MARKERS = frozenset("le la les des du de et est une un pour dans que qui sur au aux avec pas ce cette "
                           "sont nous il elle ils on ne se en".split())
ENGLISH_MARKERS = frozenset("the and of to is are for with that this was were be by from".split())
LETTERS = re.compile(r"[^\W\d_]+")      # a run of letters: a word, digits and underscores aside


def detect_language(text: str) -> str:
    words = [w.lower() for w in LETTERS.findall(text)]
    if len(words) >= 20:
        french = sum(w in FRENCH_MARKERS for w in words)
        english = sum(w in ENGLISH_MARKERS for w in words)
        if french >= 0.15 * len(words) and english <= 0.01 * len(words):
            return "fr"
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0  # langdetect is random otherwise
    try:
        return detect(text)
    except LangDetectException:
        return "und"
