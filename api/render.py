"""What the web adds to a search record: an escaped snippet with the question's words marked,
and a link to the publication at the cited page, slide or time."""
from __future__ import annotations

import html
import re
from urllib.parse import quote

from index.analysis import ELISION, TOKEN, stem


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
