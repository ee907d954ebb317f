"""What of a passage can be quoted as an answer: its text less the lines that only frame it — the
headings the layout sets apart, an interviewer's introduction of a guest (« Emma Ghariani, vous êtes
Co-Directrice de la MedNum. ») and the questions put to them. Those lines share the reader's words
(a question echoes the reader's question, a heading names the subject) but answer nothing, so left
in they crowd out the sentences that do.

Each sentence unit (``ingest.sentences``, whose rows hold the stored sentence vectors) keeps its
place: a unit that was all framing reads as "", one that held some keeps the rest."""
from __future__ import annotations

import re

from ingest.sentences import sentence_spans

HEADING_WORDS = 20   # a paragraph of at most this many words without a sentence's closing punctuation is a heading
KEPT_WORDS = 4       # what is left of a unit once its framing is taken out: fewer words are the framing's crumbs

_PARAGRAPH = re.compile(r"\S(?:.|\n(?![ \t]*\n))*")
_CLOSES = (".", "!", "?", "…", ":", ";", "»", ")")
# « Emma Ghariani, vous êtes Co-Directrice… » up to its full stop or colon, or the end of the
# line when the next one starts like a sentence
_INTRODUCTION = re.compile(r"[A-ZÀ-ÖØ-Ý][^\n,.:]{2,80}, vous êtes\b(?:[^.:\n]|\n(?![ \t]*[A-ZÀ-ÖØ-Ý«]))*[.:]?")
# a question: from the start of its sentence (after a full stop, or a line starting with a capital)
_QUESTION = re.compile(r"(?:(?<=[.!?:;…]\s)|(?<=\n)|^)[ \t•▪\-–*]*[«A-ZÀ-ÖØ-Ý¿][^.!?…:;\n]*(?:\n[^.!?…:;\n]*)*?\?",
                       re.MULTILINE)


def _heading_pattern(heading: str) -> re.Pattern:
    return re.compile(r"\s+".join(re.escape(w) for w in heading.split()), re.IGNORECASE)


def framing(text: str, headings: tuple[str, ...] = ()) -> list[tuple[int, int]]:
    """Spans of ``text`` that frame rather than say: headings of the passage's section path where a
    paragraph starts with one, short paragraphs without a sentence's closing punctuation (the
    headings the parser did not name), introductions of a guest, questions."""
    spans = []
    patterns = [_heading_pattern(h) for h in headings if h.split()]
    for paragraph in _PARAGRAPH.finditer(text):
        start, body = paragraph.start(), paragraph.group()
        if len(body.split()) <= HEADING_WORDS and not body.rstrip().endswith(_CLOSES):
            spans.append((start, paragraph.end()))
            continue
        for pattern in patterns:
            m = pattern.match(body)
            if m:
                spans.append((start, start + m.end()))
                break
    spans += [m.span() for m in _INTRODUCTION.finditer(text)]
    spans += [m.span() for m in _QUESTION.finditer(text)]
    return spans


def readable_units(text: str, headings: tuple[str, ...] = ()) -> list[str]:
    """The text of each sentence unit of ``text`` less its framing ("" when nothing worth reading is
    left). A colon whose question was taken out goes too (« ▪ Qualifier son innovation : Quelles en
    sont les caractéristiques ? » reads « ▪ Qualifier son innovation »)."""
    hidden = bytearray(len(text))
    for a, b in framing(text, headings):
        hidden[a:b] = b"\x01" * (b - a)
    out = []
    for a, b in sentence_spans(text):
        kept = "".join(ch if not hidden[i] else " " for i, ch in enumerate(text[a:b], a))
        words = kept.split()
        if words and words[-1].endswith(":") and 1 in hidden[a + len(kept.rstrip()):b]:
            words[-1] = words[-1][:-1]
            if not words[-1]:           # the colon stood alone
                words.pop()
        out.append(" ".join(words) if len(words) >= KEPT_WORDS else "")
    return out
