"""What the web adds to a search record: an escaped snippet with the question's words marked,
and a link to the publication at the cited page."""
from __future__ import annotations

import html
import re
from urllib.parse import quote

from index.analysis import ELISION, stem

WORD = re.compile(r"\w+", re.UNICODE)


def _marked(token: str, terms: set[str]) -> bool:
    return any(stem(w.lower()) in terms for w in WORD.findall(ELISION.sub(" ", token)))


def snippet_html(text: str, terms: set[str], width: int = 45) -> str:
    """About ``width`` words around the first marked word, HTML-escaped, matches in <mark>."""
    words = " ".join(text.split()).split(" ")
    first = next((i for i, w in enumerate(words) if _marked(w, terms)), 0)
    start = max(0, first - width // 3)
    out = []
    for token in words[start:start + width]:
        escaped = html.escape(token)
        out.append(f"<mark>{escaped}</mark>" if _marked(token, terms) else escaped)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(words) else ""
    return prefix + " ".join(out) + suffix


def corpus_url(source: str, page: int) -> str:
    return f"/corpus/{quote(source)}#page={page}"


def enrich(record: dict, terms: set[str], sources: dict[str, str]) -> dict:
    source = sources.get(record["doc_id"])
    return {**record, "snippet_html": snippet_html(record["text"], terms),
            "url": corpus_url(source, record["page_start"]) if source else None}
