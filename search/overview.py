"""A first overview for the reader in a hurry: the most informative sentences of the top results,
chosen for relevance and variety (maximal marginal relevance), each with its page; plus the
leading facets and the organisations the results cite most.

Only what answers is quoted (``readable.py``: no heading, no interviewer's introduction or
question, no timetable or programme line), with what completes it (a sentence announcing a list
brings its items; a spoken enumeration — « D'abord… », « Le 2ème… » — is quoted as one block,
across a passage boundary). A sentence's relevance weighs the question's words it holds by their rarity and
adds its embedding's similarity to the question's (the sentence vectors stored at ingestion), so a
paraphrased or English question, which shares few words with its answer, still gets the
sentences that answer it."""
from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from index.analysis import analyse
from index.contract import SearchIndex
from ingest.document import page_at
from ingest.sentences import MIN_WORDS, sentence_spans
from ingest.structure import PROGRAMME

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
# The items of an enumeration: « D'abord », « Le 2e collège », « Troisième élément », « La dernière idée »…,
# and a spoken first item whose « d'abord » follows a few words (« Nous avons d'abord les gens… », « Il y a
# d'abord… »: e04's four items were not seen as one list before)
_ITEM_START = (r"\W{0,3}(?:(?:(?:le|la|les|en|un|une|au|du)\s+)?(?:d[’']abord|ensuite|enfin|premi[eè]re?s?|"
               r"\d+\s?(?:e|è|ème|eme|er|ère|re)\b|deuxi[eè]me|second[e]?|troisi[eè]me|quatri[eè]me|cinqui[eè]me|"
               r"sixi[eè]me|septi[eè]me|derni[eè]re?)|(?:[^\W\d_]+\s+){1,3}d[’']abord\b)")
_ORDINAL = re.compile("^" + _ITEM_START, re.IGNORECASE)
_BULLET = re.compile(r"^\s*[•▪\-–*]")
# an ordinal item at the start of any sentence of a unit (« J'en ai tiré trois enseignements. D'abord, … »)
_SPOKEN_ITEM = re.compile(r"(?:^|(?<=[.!?:]\s))" + _ITEM_START, re.IGNORECASE)
_INLINE_LIST = re.compile(r":\s*[•▪\-–*]\s")


def is_prose(unit: str) -> bool:
    """A unit worth reading as an answer: not a timetable or programme line, not a bare heading
    (short, without a sentence's closing punctuation), not a question — an interviewer's question
    echoes the reader's and answers nothing (overview holds a gold quote: dev 0.875 → 0.875, dev-2
    0.688 → 0.708, PIAF 300 questions 0.723 → 0.723). ``readable.py`` takes the framing out of a
    unit first; this judges what is left. A bulleted item is read however short: it is one of a list."""
    if _TIMETABLE.search(unit) or unit.rstrip().endswith("?"):
        return False
    return bool(_BULLET.match(unit)) or len(unit.split()) >= PROSE_WORDS or unit.rstrip().endswith((".", "!", ":", "…", ";", "»", ")"))


def is_item(unit: str) -> bool:
    return bool(_ORDINAL.match(unit) or _BULLET.match(unit))


def is_spoken_item(unit: str) -> bool:
    """An ordinal item starts one of the unit's sentences (« J'en ai tiré trois enseignements. D'abord, … »)."""
    return bool(_SPOKEN_ITEM.search(unit))


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
    items: tuple[tuple[int, str, int], ...] = ()   # (unit, text, offset) of the units an ordinal item starts
    open_end: bool = False            # its last block is a list the passage's end may cut (« … : ▪ Qualifier… »)
    leading_items: tuple[tuple[int, str], ...] = ()   # (unit, text) of the list items it starts with
    all_items: bool = False           # nothing readable but those items: the list may go on in the next passage

    @classmethod
    def of(cls, passage) -> "Readable":
        spans = sentence_spans(passage.text)
        if passage.section_kind == PROGRAMME:            # an agenda lists topics, it answers nothing
            return cls((), len(spans))
        cleaned = readable_units(passage.text, passage.section)
        kept = [i for i, u in enumerate(cleaned) if u and is_prose(u)]
        out, starts = [], []
        for text, joined in blocks([cleaned[i] for i in kept]):
            if len(text.split()) <= (BLOCK_WORDS if is_item(text) or ":" in text else MAX_WORDS):
                out.append((text, tuple(kept[j] for j in joined), frozenset(analyse(text))))
                starts.append(spans[kept[joined[0]]][0])
        items = tuple((i, cleaned[i], spans[i][0]) for i in kept if is_spoken_item(cleaned[i]))
        last = out[-1][1] if out else ()
        open_end = bool(last) and last[-1] == kept[-1] and (opens_list(out[-1][0]) or is_item(cleaned[last[-1]]))
        leading = []
        for i in kept:
            if not is_item(cleaned[i]):
                break
            leading.append((i, cleaned[i]))
        return cls(tuple(out), len(spans), tuple(starts), items, open_end, tuple(leading),
                   bool(leading) and len(leading) == len(kept))


_readable = LRU(20_000)       # (passage id, section kind, text) → Readable
_page_starts = LRU(256)       # (snapshot, publication) → where its pages start


def cited(index: SearchIndex, text: str, passage, offset: int) -> dict:
    """An overview sentence with what cites it: the page it is on (not its passage's first page: a
    passage may run over two), its passage, publication and speaker."""
    page, location = passage.page_start, passage.location()
    if passage.unit == "page" and passage.page_end > passage.page_start:
        starts = _page_starts.get_or((str(index.path), passage.doc_id), lambda: index.store.page_starts(passage.doc_id))
        page = page_at(starts, passage.start + offset)
        location = f"p. {page}"
    return {"text": text, "passage_id": passage.id, "doc_id": passage.doc_id, "page": page, "location": location,
            "speaker": passage.speaker}


def _readable_of(passage) -> Readable:
    return _readable.get_or((passage.id, passage.section_kind, passage.text), lambda: Readable.of(passage))


def _similarities(index: SearchIndex, vid: int, units: int, vector: np.ndarray) -> np.ndarray:
    """Each sentence unit's similarity to the question (a passage of one sentence: its own vector's)."""
    rows = index.sentences.of(vid)
    if len(rows) != units:
        return np.repeat(index.vectors.vector(vid) @ vector, units)
    return rows @ vector


def following(index: SearchIndex, vid: int, section: tuple, vector: np.ndarray):
    """The next passage after ``vid`` if it is of the same section: (its Readable, its vid, its units'
    similarities), or None."""
    vid = index.store.next_in_document(vid)
    after = index.store.passages([vid]).get(vid) if vid is not None else None
    if after is None or after.section != section:
        return None
    readable = _readable_of(after)
    return readable, vid, _similarities(index, vid, readable.units, vector)


def joined_items(items: list[tuple[float, str]], text: str = "", similarity: float = -1.0) -> tuple[str, float]:
    """``text`` followed by the items' texts up to ``BLOCK_WORDS``, and the best similarity among them."""
    for sim, item in items:
        if text and len(text.split()) + len(item.split()) > BLOCK_WORDS:
            break
        text, similarity = f"{text} {item}".strip(), max(similarity, float(sim))
    return text, similarity


def enumeration(index: SearchIndex, hit, readable: Readable, sims: np.ndarray, after, vector: np.ndarray):
    """A spoken enumeration's items as one block: « J'en ai tiré trois enseignements. D'abord, … »,
    « Le 2ème enseignement, c'est que … », « 3e enseignement : … » lie apart, each followed by what
    explains it, and passage boundaries may fall between them; a list question wants the items, not
    one of them. The items of the passage and of the next ones in its section while they hold items,
    up to ``BLOCK_WORDS`` (None when fewer than two)."""
    items = [(sims[i], text) for i, text, _ in readable.items]
    while after is not None and after[0].items and sum(len(t.split()) for _, t in items) < BLOCK_WORDS:
        more, vid, more_sims = after
        items += [(more_sims[i], text) for i, text, _ in more.items]
        after = following(index, vid, hit.passage.section, vector)
    if len(items) < 2:
        return None
    text, similarity = joined_items(items)
    return similarity, frozenset(analyse(text)), text, hit, readable.items[0][2]


def continued(index: SearchIndex, block: tuple, after, vector: np.ndarray) -> tuple:
    """``block`` (a candidate of ``candidates``) followed by the list items the next passages start
    with, through passages that hold nothing but items, up to ``BLOCK_WORDS``."""
    similarity, _, text, hit, start = block
    while after is not None and after[0].leading_items:
        more, vid, more_sims = after
        longer, similarity = joined_items([(more_sims[i], t) for i, t in more.leading_items], text, similarity)
        if longer == text:
            break
        text = longer
        after = following(index, vid, hit.passage.section, vector) if more.all_items else None
    return similarity, frozenset(analyse(text)), text, hit, start


def candidates(index: SearchIndex, hits: list, vector: np.ndarray) -> list[tuple[float, frozenset, str, object, int]]:
    """(similarity to the question, terms, sentence, hit, its offset in the passage) of every
    readable sentence of ``hits``, and of each spoken enumeration they start. A list the passage's
    end cuts (« …est éclairé sur les 7 leviers : ▪ Qualifier son innovation : » | « ▪ Comprendre son
    écosystème : ▪ Définir sa stratégie : … ») goes on with the next passage's items."""
    out = []
    for hit in hits:
        readable = _readable_of(hit.passage)
        if not readable.blocks:
            continue
        sims = _similarities(index, hit.vid, readable.units, vector)
        after = following(index, hit.vid, hit.passage.section, vector) if readable.items or readable.open_end else None
        quoted = [(float(sims[list(joined)].max()), terms, text, hit, start)
                  for (text, joined, terms), start in zip(readable.blocks, readable.starts)]
        if readable.open_end:
            quoted[-1] = continued(index, quoted[-1], after, vector)
        out += quoted
        if readable.items and (listed := enumeration(index, hit, readable, sims, after, vector)):
            out.append(listed)
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


def overview(index: SearchIndex, vector: np.ndarray, query_terms: set[str], hits: list, facets: dict,
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
        pool = [c for c in pool if c is not best and c[2] not in best[2] and best[2] not in c[2]]
    chosen.sort(key=lambda c: (rank[id(c[3])], c[4]))
    return {
        "sentences": [cited(index, c[2], c[3].passage, c[4]) for c in chosen],
        "facets": {name: values[:3] for name, values in facets.items() if name in ("levers", "sdg", "trades", "entry_point")},
        "organisations": organisations or [],     # the directory's, most named by the results (search/actors.py)
    }
