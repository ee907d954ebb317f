"""A first overview for the reader in a hurry: the most informative sentences of the top results,
chosen for relevance and variety (maximal marginal relevance), each with its page; plus the
leading facets and the organisations the results cite most.

Only what answers is quoted (``readable.py``: no heading, no interviewer's introduction or
question, no timetable or programme line), with what completes it (a sentence announcing a list
brings its items). A sentence's relevance weighs the question's words it holds by their rarity and
adds its embedding's similarity to the question's (the sentence vectors stored at ingestion), so a
paraphrased or English question, which shares few words with its answer, still gets the
sentences that answer it."""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

import numpy as np

from index.analysis import analyse
from index.index import Index
from ingest.sentences import MIN_WORDS, sentence_spans

from .cache import LRU
from .diversity import jaccard
from .readable import readable_units

MAX_WORDS = 60     # a longer "sentence" is a list or a table: not for a quick read
BLOCK_WORDS = 140  # an announced list or an enumeration is kept whole up to this length
HIT_PRIOR = 0.3    # a sentence of the first hit gains 0.3, of the second 0.15…: the ranking's own judgement
                   # (without it PIAF's overview 0.790 → 0.767, the dev sets the same; relevance())
PROSE_WORDS = MIN_WORDS  # a shorter unit without a sentence's closing punctuation is a heading's remnant:
                         # 12 before framing was recognised (readable.py); at 8, « 13 millions de français sont
                         # en situation de fracture numérique » is read (dev-2 overview 0.729 → 0.750, dev the same)

# Not prose: a timetable (« 14h00 – 14h30 », « 12h15 »), emphasis markers of a programme.
_TIMETABLE = re.compile(r"\b\d{1,2} ?[hH] ?\d{2}\b|\*\*")
# The items of an enumeration: « D'abord », « Le 2e collège », « Troisième élément », « La dernière idée »…
_ORDINAL = re.compile(r"^(?:\W{0,3})(?:(?:le|la|les|en|un|une|au|du)\s+)?(?:d[’']abord|ensuite|enfin|premi[eè]re?s?|"
                      r"\d+\s?(?:e|è|ème|eme|er|ère|re)\b|deuxi[eè]me|second[e]?|troisi[eè]me|quatri[eè]me|cinqui[eè]me|"
                      r"sixi[eè]me|septi[eè]me|derni[eè]re?)", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[•▪\-–*]")
_INLINE_LIST = re.compile(r":\s*[•▪\-–*]\s")


def is_prose(unit: str, min_words: int = PROSE_WORDS) -> bool:
    """A unit worth reading as an answer: not a timetable or programme line, not a bare heading
    (short, without a sentence's closing punctuation), not a question — an interviewer's question
    echoes the reader's and answers nothing (overview holds a gold quote: dev 0.875 → 0.875, dev-2
    0.688 → 0.708, PIAF 300 questions 0.723 → 0.723). ``readable.py`` takes the framing out of a
    unit first; this judges what is left."""
    if _TIMETABLE.search(unit) or unit.rstrip().endswith("?"):
        return False
    return len(unit.split()) >= min_words or unit.rstrip().endswith((".", "!", ":", "…", ";", "»", ")"))


def is_item(unit: str) -> bool:
    return bool(_ORDINAL.match(unit) or _BULLET.match(unit))


def opens_list(text: str) -> bool:
    """Announces what follows: ends with « : » or « ; », or starts a bulleted list after a colon
    (« Les participants ont proposé : • Création… »)."""
    return text.rstrip().endswith((":", ";")) or bool(_INLINE_LIST.search(text))


def blocks(units: list[str]) -> list[tuple[str, list[int]]]:
    """Readable sentences of a passage from its units, each with the units it joins: a unit ending
    in ":" or ";" brings what follows it (the list it announces, up to ``BLOCK_WORDS``); consecutive
    items of an enumeration (« D'abord… », « Le 2e… », bullets) stay together."""
    out: list[tuple[str, list[int]]] = []
    text, joined = "", []

    def close():
        nonlocal text, joined
        if text:
            out.append((" ".join(text.split()), joined))
        text, joined = "", []

    for i, unit in enumerate(units):
        words = len(text.split()) + len(unit.split())
        announced = text.rstrip().endswith((":", ";"))
        enumerating = bool(text) and is_item(unit) and words <= BLOCK_WORDS
        if text and not (announced and words <= BLOCK_WORDS) and not enumerating:
            close()
        text, joined = f"{text} {unit}".strip(), joined + [i]
        if not opens_list(text) and not is_item(unit):
            close()
    close()
    return out


def sentences(units: list[str], similarities: np.ndarray) -> list[tuple[str, float]]:
    """``blocks`` with their similarity to the question: a block is as close as its closest unit."""
    return [(text, float(max(similarities[i] for i in joined))) for text, joined in blocks(units)]


@dataclass(frozen=True)
class Readable:
    """What the overview may quote of a passage, the same for every question (so computed once
    per passage, not per question): its readable blocks (text, the sentence rows they join,
    their analysed terms) and how many sentence units it has."""
    blocks: tuple[tuple[str, tuple[int, ...], frozenset], ...]
    units: int
    starts: tuple[int, ...] = ()      # where each block starts in the passage's text (its page)

    @classmethod
    def of(cls, passage) -> "Readable":
        spans = sentence_spans(passage.text)
        if passage.section_kind == "programme":          # an agenda lists topics, it answers nothing
            return cls((), len(spans))
        cleaned = readable_units(passage.text, passage.section)
        kept = [i for i, u in enumerate(cleaned) if u and is_prose(u)]
        out, starts = [], []
        for text, joined in blocks([cleaned[i] for i in kept]):
            if len(text.split()) <= (BLOCK_WORDS if is_item(text) or ":" in text else MAX_WORDS):
                out.append((text, tuple(kept[j] for j in joined), frozenset(analyse(text))))
                starts.append(spans[kept[joined[0]]][0])
        return cls(tuple(out), len(spans), tuple(starts))


_readable = LRU(20_000)       # (passage id, section kind, text) → Readable
_page_starts = LRU(256)       # (snapshot, publication) → where its pages start


def cited(index: Index, text: str, passage, offset: int) -> dict:
    """An overview sentence with what cites it: the page it is on (not its passage's first page: a
    passage may run over two), its passage, publication and speaker."""
    page, location = passage.page_start, passage.location()
    if passage.unit == "page" and passage.page_end > passage.page_start:
        starts = _page_starts.get_or((str(index.path), passage.doc_id), lambda: index.store.page_starts(passage.doc_id))
        page = min(max(passage.page_start, bisect.bisect_right(starts, passage.start + offset)), passage.page_end)
        location = f"p. {page}"
    return {"text": text, "passage_id": passage.id, "doc_id": passage.doc_id, "page": page, "location": location,
            "speaker": passage.speaker}


def candidates(index: Index, hits: list, vector: np.ndarray) -> list[tuple[float, frozenset, str, object, int]]:
    """(similarity to the question, terms, sentence, hit, its offset in the passage) of every
    readable sentence of ``hits``."""
    out = []
    for hit in hits:
        p = hit.passage
        readable = _readable.get_or((p.id, p.section_kind, p.text), lambda: Readable.of(p))
        if not readable.blocks:
            continue
        rows = index.sentences.of(hit.vid)
        if len(rows) != readable.units:          # one sentence: the passage vector stands for it
            rows = index.vectors.vector(hit.vid)[None, :]
            sims = np.repeat(rows @ vector, readable.units)
        else:
            sims = rows @ vector
        out += [(float(sims[list(joined)].max()), terms, text, hit, start)
                for (text, joined, terms), start in zip(readable.blocks, readable.starts)]
    return out


def relevance(similarity: float, terms: frozenset, weights: dict[str, float], rank: int) -> float:
    """The share of the question's terms a sentence holds, each weighted by its IDF (a rare word of
    the question, « PIB », « Clermont-Ferrand », counts for more than a common one, « territoire »),
    plus its similarity to the question spread to [0, 1] over the candidates, plus a prior for the
    better hits. Measured (overview holds the answer: dev / dev-2 / PIAF 300 questions, bench/overview_eval.py),
    once framing was left out (readable.py): shared words per square root of the sentence's length
    with half the similarity 0.833 / 0.750 / 0.777; the IDF share with the whole similarity 0.875 /
    0.750 / 0.767 without the prior, 0.875 / 0.750 / 0.790 with it (kept: no set loses)."""
    total = sum(weights.values()) or 1.0
    return sum(weights.get(t, 0.0) for t in terms) / total + similarity + HIT_PRIOR / (rank + 1)


def overview(index: Index, vector: np.ndarray, query_terms: set[str], hits: list, facets: dict,
             organisations: list[dict] | None = None, n: int = 5, from_top: int = 5, lam: float = 0.7) -> dict | None:
    """None when nothing relevant was found: no overview rather than a confident one about nothing.
    Five sentences (or blocks) of the top five hits: the overview holds a gold quote for dev 0.875,
    dev-2 0.688 before questions were left out (four of the top five: 0.792 / 0.625; five of the top eight: 0.875 / 0.646; six of
    the top eight 0.958 / 0.667 — longer than a quick read). With the framing left out and the
    IDF-weighted score: dev 0.875, dev-2 0.750, PIAF 0.790 (0.777 before)."""
    if not hits:
        return None
    rank = {id(h): i for i, h in enumerate(hits)}
    pool = candidates(index, hits[:from_top], vector)
    if pool:
        lo, hi = min(c[0] for c in pool), max(c[0] for c in pool)
        weights = index.lexical.idf(sorted(query_terms))
        pool = [(relevance((sim - lo) / ((hi - lo) or 1.0), terms, weights, rank[id(hit)]), terms, text, hit, start)
                for sim, terms, text, hit, start in pool]
    chosen = []
    while pool and len(chosen) < n:
        def mmr(c):
            return lam * c[0] - (1 - lam) * max((jaccard(c[1], o[1]) for o in chosen), default=0.0)
        best = max(pool, key=mmr)
        chosen.append(best)
        pool.remove(best)
    chosen.sort(key=lambda c: (rank[id(c[3])], c[4]))
    return {
        "sentences": [cited(index, c[2], c[3].passage, c[4]) for c in chosen],
        "facets": {name: values[:3] for name, values in facets.items() if name in ("levers", "sdg", "trades", "entry_point")},
        "organisations": organisations or [],     # the directory's, most named by the results (search/actors.py)
    }
