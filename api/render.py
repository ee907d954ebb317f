"""What the web shows of a search: each record with an escaped snippet (the question's words
marked) and a link to the publication at the cited page, slide or time; the one payload the page
and the JSON API render for a question."""
from __future__ import annotations

import html
import re
import time
from typing import Callable
from urllib.parse import quote

from index.analysis import ELISION, TOKEN, analyse, stem
from search.answer import Stages, answer
from search.filters import Filters
from search.searcher import Hit, Searcher


def snippet_html(text: str, terms: set[str], width: int = 45) -> str:
    """About ``width`` words around the first marked word, HTML-escaped, matches in <mark>."""
    words = " ".join(text.split()).split(" ")
    lowered = " ".join(words).lower()
    # the text's distinct words whose stem the question has, each stemmed once, as one pattern
    matching = {w for w in set(TOKEN.findall(ELISION.sub(" ", lowered))) if stem(w) in terms}
    pattern = re.compile(r"(?<!\w)(?:" + "|".join(sorted(map(re.escape, matching), key=len, reverse=True))
                         + r")(?!\w)") if matching else None
    found = pattern.search(lowered) if pattern else None
    first = lowered.count(" ", 0, found.start()) if found else 0
    start = max(0, first - width // 3)
    out = []
    for token in words[start:start + width]:
        escaped = html.escape(token)
        out.append(f"<mark>{escaped}</mark>" if pattern and pattern.search(token.lower()) else escaped)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(words) else ""
    return prefix + " ".join(out) + suffix


def corpus_url(source: str, anchor: str | None) -> str:
    return f"/corpus/{quote(source)}" + (f"#{anchor}" if anchor else "")


def enrich(record: dict, terms: set[str], sources: dict[str, str]) -> dict:
    """The link opens the right place: the stored original at the page or slide, or the passage's
    own web link (the video at its time, the page's canonical URL)."""
    source = sources.get(record["doc_id"])
    url = record["link"] or (corpus_url(source, record["anchor"]) if source else None)
    return {**record, "snippet_html": snippet_html(record["text"], terms), "url": url}


def search_payload(searcher: Searcher, q: str, k: int, filters: Filters,
                   observe: Callable[[dict, Stages | None], None] | None = None) -> dict:
    """What the page and the JSON API show for a question: ``search.answer`` with snippets and
    links, from the snapshot's cache when the question was asked already. ``observe`` is told
    the payload and, when it was computed, its stages' times (None: from the cache)."""
    started = time.perf_counter()
    computed: list[Stages] = []

    def payload() -> dict:
        computed.append(Stages())
        result = answer(searcher, q, k=k, filters=filters, stages=computed[0])
        terms = set(analyse(" ".join([result["query"], *result["corrections"].values()])))
        sources = searcher.sources
        return {**result, "results": [enrich(r, terms, sources) for r in result["results"]],
                "groups": [{**g, "results": [enrich(r, terms, sources) for r in g["results"]]}
                           for g in result["groups"]]}

    found = searcher.answers.get_or(("payload", q, k, repr(filters)), payload)
    if observe:
        observe(found, computed[0] if computed else None)
    return {**found, "took_ms": round((time.perf_counter() - started) * 1000, 1)}


def related_records(searcher: Searcher, hits: list[Hit]) -> list[dict]:
    """Related passages as the API and the page show them (no question: no words marked)."""
    sources = searcher.sources
    return [enrich(h.record(), set(), sources) for h in hits]
