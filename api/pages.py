"""Server-rendered pages (they work without JavaScript; search.js only enhances them).
The page and its fragments render the same payload as the JSON API."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import urlencode

import numpy as np
from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from ingest.glossary import FACETS, PARAMS
from ingest.taxonomy import taxonomy
from search.facets import facet_counts
from search.related import related
from search.suggestions import EXAMPLE_QUESTIONS

from .params import filters_from
from .render import enrich

TEMPLATES = Path(__file__).parent / "templates"
SDG_COLOURS = {1: "#E5243B", 2: "#DDA63A", 3: "#4C9F38", 4: "#C5192D", 5: "#FF3A21", 6: "#26BDE2", 7: "#FCC30B",
               8: "#A21942", 9: "#FD6925", 10: "#DD1367", 11: "#FD9D24", 12: "#BF8B2E", 13: "#3F7E44", 14: "#0A97D9",
               15: "#56C02B", 16: "#00689D", 17: "#19486A"}
FACET_TITLES = {f.key: f.title for f in FACETS}
FACET_PARAM = {f.key: f.param for f in FACETS}


class Pages:
    def __init__(self, service):
        self.service = service
        self.env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["html"]))
        self.env.globals.update(SDG_COLOURS=SDG_COLOURS, FACET_TITLES=FACET_TITLES, FACET_PARAM=FACET_PARAM)

    def _render(self, name: str, status: int = 200, **context) -> HTMLResponse:
        return HTMLResponse(self.env.get_template(name).render(**context), status_code=status)

    def search(self, request: Request) -> HTMLResponse:
        if not self.service.ready.is_set():
            return self._render("starting.html", status=503, status_text=self.service.status)
        params = request.query_params
        q = params.get("q", "")
        selected = {p: params.getlist(p) for p in PARAMS}
        fragment = params.get("fragment")
        if params.get("related"):
            return self._related(params.get("related"), fragment == "related")
        try:
            filters = filters_from(selected["lever"], [int(x) for x in selected["sdg"] if x.isdigit()],
                                   selected["trade"], selected["entry_point"], selected["doc"], selected["lang"],
                                   None, None)
            k = max(1, min(50, int(params.get("k", 10))))
        except ValueError:
            k = 10
        payload = request.app.state.search_payload(self.service, q, k, filters) if q.strip() else None

        def toggle(param: str, value) -> str:
            """The URL with one filter value switched on or off (a tag chip, a facet)."""
            pairs = [(p, v) for p in ("q", *PARAMS) for v in ([q] if p == "q" else selected[p])
                     if not (p == param and v == str(value))]
            if str(value) not in selected.get(param, []):
                pairs.append((param, str(value)))
            return "/?" + urlencode(pairs)

        context = dict(q=q, payload=payload, selected=selected, toggle=toggle, examples=EXAMPLE_QUESTIONS,
                       home=None if payload else self._home())
        if fragment == "results":
            return self._render("_results.html", **context)
        return self._render("search.html", **context)

    def _related(self, source_id: str, fragment: bool) -> HTMLResponse:
        searcher = self.service.searcher()
        sources = searcher.sources
        results = [enrich(h.record(), set(), sources) for h in related(searcher, source_id=source_id, k=5)]
        return self._render("_related.html" if fragment else "related.html", results=results, source_id=source_id)

    def _home(self) -> dict:
        searcher = self.service.searcher()
        return searcher.answers.get_or(("home page",), lambda: self._home_of(searcher))

    @staticmethod
    def _home_of(searcher) -> dict:
        index = searcher.index
        store = index.store
        all_vids = index.columns.vids
        counts = facet_counts(index.columns, np.ones(len(all_vids), bool), searcher.titles)
        sdg = {x["id"]: x["count"] for x in counts["sdg"]}
        top = max(sdg.values(), default=1)
        goals = [{"id": t.id, "label": t.label.split(" — ", 1)[1], "count": sdg.get(t.id, 0),
                  "opacity": round(0.25 + 0.75 * sdg.get(t.id, 0) / top, 2) if sdg.get(t.id) else 0.12}
                 for t in taxonomy()["sdg"]]
        return {"documents": store.documents(), "passages": len(all_vids), "counts": counts, "goals": goals}

    def editor(self, request: Request) -> HTMLResponse:
        return self._render("editor.html", enabled=bool(self.service.config.editor_token),
                            max_mb=self.service.config.max_upload_mb)
