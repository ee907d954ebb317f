"""The French spaCy pipeline (sentences and named entities) and language detection."""
from __future__ import annotations

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


def detect_language(text: str) -> str:
    from langdetect import DetectorFactory, LangDetectException, detect

    DetectorFactory.seed = 0  # langdetect is random otherwise
    try:
        return detect(text)
    except LangDetectException:
        return "und"
