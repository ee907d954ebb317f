"""The HTML side: the Jinja templates (escaped by default) and what every page may use."""
from __future__ import annotations

from pathlib import Path

from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ingest.glossary import FACETS
from search.answer import MAX_QUERY_CHARS

TEMPLATES = Path(__file__).parent / "templates"
SDG_COLOURS = {1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2", 7: "#FCC30B",
               8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E", 13: "#3F7E44", 14: "#0A97D9",
               15: "#56C02B", 16: "#00689D", 17: "#19486A"}

JINJA = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
JINJA.globals.update(SDG_COLOURS=SDG_COLOURS, FACET_TITLES={f.key: f.title for f in FACETS},
                           FACET_PARAM={f.key: f.param for f in FACETS}, MAX_QUERY_CHARS=MAX_QUERY_CHARS)


def render(name: str, status: int = 200, **context) -> HTMLResponse:
    return HTMLResponse(JINJA.get_template(name).render(**context), status_code=status)
