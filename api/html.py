"""The HTML side: the Jinja templates (escaped by default) and what every page may use."""
from __future__ import annotations

from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ingest.glossary import FACETS
from search.answer import MAX_QUERY_CHARS

from .colours import SDG_COLOURS

TEMPLATES = Path(__file__).parent / "templates"

JINJA = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
JINJA.globals.update(SDG_COLOURS=SDG_COLOURS, FACET_TITLES={f.key: f.title for f in FACETS},
                     FACET_PARAM={f.key: f.param for f in FACETS}, MAX_QUERY_CHARS=MAX_QUERY_CHARS)


def plural(n: int, word: str, many: str | None = None) -> str:
    """« 1 passage », « 0 passage », « 3 passages » (French: the singular up to 1)."""
    return f"{n} {word if n <= 1 else many or word + 's'}"


JINJA.filters["plural"] = plural


def render(name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(JINJA.get_template(name).render(**context), status_code=status)
