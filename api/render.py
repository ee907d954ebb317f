"""What the web adds to a search record: an escaped snippet with the question's words marked,
and a link to the publication at the cited page."""
from __future__ import annotations

import html
import re
from urllib.parse import quote

from index.analysis import ELISION, stem

WORD = re.compile(r"\w+", re.UNICODE)


def snippet_html(text: str, terms: set[str], width: int = 45) -> str:
    """About ``width`` words around the first marked word, HTML-escaped, matches in <mark>."""
    flat = " ".join(text.split())
    words = list(re.finditer(r"\S+", flat))
    hits = [i for i, m in enumerate(words)
            if any(stem(w.lower()) in terms for w in WORD.findall(ELISION.sub(" ", m.group())))]
    start = max(0, (hits[0] if hits else 0) - width // 3)
    chosen = words[start:start + width]
    out = []
    for i, m in enumerate(chosen, start):
        token = html.escape(m.group())
        if i in hits:
            token = f"<mark>{token}</mark>"
        out.append(token)
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + width < len(words) else ""
    return prefix + " ".join(out) + suffix


def corpus_url(source: str, page: int) -> str:
    return f"/corpus/{quote(source)}#page={page}"


def enrich(record: dict, terms: set[str], sources: dict[str, str]) -> dict:
    source = sources.get(record["doc_id"])
    return {**record, "snippet_html": snippet_html(record["text"], terms),
            "url": corpus_url(source, record["page_start"]) if source else None}
