"""Cut a document's segments into passages of about 50–150 words on sentence boundaries
(100 words aimed at: measured best on the development questions, see bench/tune_retrieval.py)."""
from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Document, Segment
from .actors import Evidence, acronym_pairs
from .nlp import ENTITY_KEYS, flatten_lines, french_pipeline

WORD = re.compile(r"\S+")
# spaCy refuses a text over its max_length (1,000,000 characters, error E088) and needs about 1 GB per
# 100,000 characters to parse one; a longer segment is parsed in pieces of at most this size.
PIECE_CHARS = 100_000
BREAKS = ("\n\n", "\n", ". ", " ")       # where a piece ends, by preference
KEEP_WORDS = 20             # shorter passages (a bare heading, an empty Q&A slot) are dropped


@dataclass
class Chunk:
    start: int
    end: int
    segment: Segment
    entities: dict[str, list[str]]


def _words(text: str) -> int:
    return len(WORD.findall(text))


def _keep_lists(text: str, sentences: list[tuple[int, int]], lists: list[tuple[int, int]],
                max_words: int) -> list[tuple[int, int]]:
    """Sentences inside one list (with its lead-in line) become one unit, so no passage boundary
    falls inside it, unless the list alone is longer than a passage."""
    out: list[tuple[int, int]] = []
    for s, e in sentences:
        span = next((l for l in lists if l[0] <= s and e <= l[1]), None)
        if span and out and span[0] <= out[-1][0] and _words(text[out[-1][0]:e]) <= max_words:
            out[-1] = (out[-1][0], e)
        else:
            out.append((s, e))
    return out


def _split_long(text: str, start: int, end: int, max_words: int) -> list[tuple[int, int]]:
    """A "sentence" longer than max_words (a list without full stops) is cut between words."""
    words = [m for m in WORD.finditer(text, start, end)]
    return [(words[i].start(), words[min(i + max_words, len(words)) - 1].end())
            for i in range(0, len(words), max_words)]


def _pieces(text: str, start: int, end: int, limit: int) -> list[tuple[int, int]]:
    """``text[start:end]`` in pieces of at most ``limit`` characters, each ending at a paragraph break
    where one falls in its second half (else a line, a sentence end, a space)."""
    pieces = []
    while end - start > limit:
        window = text[start:start + limit]
        cut = next((i + len(b) for b in BREAKS if (i := window.rfind(b)) > limit // 2), limit)
        pieces.append((start, start + cut))
        start += cut
    return pieces + [(start, end)]


class Chunker:
    def __init__(self, min_words: int = 50, target_words: int = 100, max_words: int = 150,
                 keep_words: int = KEEP_WORDS):
        self.min_words, self.target_words, self.max_words = min_words, target_words, max_words
        self.keep_words = keep_words

    def _pack(self, text: str, sentences: list[tuple[int, int]]) -> list[tuple[int, int]]:
        spans: list[tuple[int, int]] = []
        cur_start = cur_end = None
        cur_words = 0
        for s, e in sentences:
            n = _words(text[s:e])
            # a sentence ending in « : » announces what follows (a list, a target's wording): no cut there
            announces = cur_end is not None and text[cur_start:cur_end].rstrip().endswith(":")
            if cur_start is not None and (cur_words + n > self.max_words
                                          or (cur_words >= self.target_words and not announces)):
                spans.append((cur_start, cur_end))
                cur_start, cur_words = None, 0
            if cur_start is None:
                cur_start = s
            cur_end, cur_words = e, cur_words + n
        if cur_start is not None:
            last_words = cur_words
            if spans and last_words < self.min_words and \
                    _words(text[spans[-1][0]:cur_end]) <= self.max_words + self.min_words // 2:
                spans[-1] = (spans[-1][0], cur_end)  # a short tail joins the passage before it
            else:
                spans.append((cur_start, cur_end))
        return spans

    @staticmethod
    def _whole_slide(doc: Document, seg: Segment, start: int, end: int) -> bool:
        """A short slide is kept whole when it says more than its title (a slide is often short,
        and it is what a presentation is cited by)."""
        title = seg.section[-1] if seg.section else ""
        return doc.unit == "slide" and _words(doc.text[start:end]) > _words(title)

    def chunks(self, doc: Document, segments: list[Segment]) -> list[Chunk]:
        nlp = french_pipeline()
        flat = flatten_lines(doc.text)
        out: list[Chunk] = []
        evidence = Evidence.of(flat, [s.speaker.organisation for s in segments if s.speaker and s.speaker.organisation])
        limit = min(PIECE_CHARS, nlp.max_length)
        pieces = [(seg, s, e) for seg in segments for s, e in _pieces(flat, seg.start, seg.end, limit)]
        texts = (flat[s:e] for _, s, e in pieces)
        for (seg, start, _), parsed in zip(pieces, nlp.pipe(texts, batch_size=16)):
            sentences: list[tuple[int, int]] = []
            for sent in parsed.sents:
                s, e = start + sent.start_char, start + sent.end_char
                if not doc.text[s:e].strip():
                    continue
                if _words(doc.text[s:e]) > self.max_words:
                    sentences.extend(_split_long(doc.text, s, e, self.max_words))
                else:
                    sentences.append((s, e))
            if doc.lists:
                sentences = _keep_lists(doc.text, sentences, doc.lists, self.max_words)
            for s, e in self._pack(doc.text, sentences):
                if _words(doc.text[s:e]) < self.keep_words and not self._whole_slide(doc, seg, s, e):
                    continue
                ents = _entities(parsed, seg, start, s, e, flat, evidence)
                out.append(Chunk(s, e, seg, ents))
        return out


def _entities(parsed, seg: Segment, offset: int, start: int, end: int, flat: str,
              evidence: Evidence) -> dict[str, list[str]]:
    """The people, organisations and places named between ``start`` and ``end`` (``parsed``: spaCy's
    reading of the piece of text starting at ``offset``): spaCy's spans, with
    people and organisations corrected by the document's evidence (ingest/actors.py); and the
    organisations of the segment's speaker as that evidence reads them; the acronyms the text spells out.
    (What ``ingest.actors.Directory`` merges; ``entities`` keys: people, organisations, places,
    speaker_organisations, acronyms.)"""
    ents: dict[str, list[str]] = {}

    def add(key: str, name: str) -> None:
        if name not in ents.setdefault(key, []):
            ents[key].append(name)

    for ent in parsed.ents:
        key = ENTITY_KEYS.get(ent.label_)
        at, until = offset + ent.start_char, offset + ent.end_char
        if not (start <= at and until <= end):
            continue
        text = re.sub(r"\s+", " ", ent.text).strip()
        organisations = evidence.organisation_names_in(ent.label_, text, at, flat[until:until + 120])
        for name in organisations:
            add("organisations", name)
        if key == "people" and not organisations and (name := evidence.person_name(text)):
            add(key, name)
        elif key == "places" and not organisations:
            add(key, text)
    acronyms = acronym_pairs(flat[start:end])
    if acronyms:
        ents["acronyms"] = [list(pair) for pair in acronyms]
    if seg.speaker:
        ents["speaker_organisations"] = evidence.speaker_organisation_names(seg.speaker.organisation or "")
    return ents
