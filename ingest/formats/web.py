"""Web pages (.html, a URL's saved page): the main text only, by trafilatura (navigation, footers,
scripts and comments dropped); <h1>–<h3> become sections, lists and tables stay whole; the page's
canonical URL is its source."""
from __future__ import annotations

import re
from pathlib import Path

from ..errors import UnreadableDocument
from .builder import Draft, TextBuilder

SECTION_LEVELS = 3        # <h4>–<h6> are read as paragraphs: too fine to be sections
# A browser's saved page says where it came from: <!-- saved from url=(0045)https://… -->
SAVED_FROM = re.compile(rb"<!--\s*saved from url=(?:\(\d+\))?(https?://[^\s>]+?)\s*-->", re.I)


def _blocks(element, text: TextBuilder) -> None:
    for child in element:
        tag = child.tag
        content = " ".join("".join(child.itertext()).split())
        if tag == "head":
            level = int((child.get("rend") or "h2").lstrip("h") or 2)
            if level <= SECTION_LEVELS:
                text.heading(content, level)
            else:
                text.paragraph(content)
        elif tag == "list":
            text.items([" ".join("".join(item.itertext()).split()) for item in child.iter("item")])
        elif tag == "table":
            rows = [[" ".join("".join(cell.itertext()).split()) for cell in row.iter("cell")]
                    for row in child.iter("row")]
            text.items([" ; ".join(c for c in cells if c) for cells in rows], marker="")
        elif tag in ("p", "quote", "code"):
            text.paragraph(content)
        elif tag == "div":
            _blocks(child, text)


def read_html(path: Path) -> Draft:
    import trafilatura
    from lxml import etree

    data = path.read_bytes()
    try:
        found = trafilatura.extract(data, output_format="xml", include_formatting=True, include_tables=True,
                                    include_comments=False, with_metadata=True)
    except Exception as exc:    # trafilatura is lenient; anything it raises means an unreadable page
        raise UnreadableDocument(f"{path.name} : page web illisible ({type(exc).__name__})", "broken_html") from exc
    if not found:
        raise UnreadableDocument(f"{path.name} : aucun texte principal dans la page", "no_text")
    doc = etree.fromstring(found.encode("utf-8"))
    for br in doc.iter("lb"):                       # a line break separates words
        br.tail = " " + (br.tail or "")
    text = TextBuilder()
    main = doc.find("main")
    _blocks(main if main is not None else doc, text)
    saved = SAVED_FROM.search(data[:4096])
    properties = {"title": doc.get("title"), "author": doc.get("author"), "date": doc.get("date"),
                  "source_url": doc.get("url") or (saved.group(1).decode("ascii", "replace") if saved else None)}
    return text.draft("", properties)
