"""« Mon dossier »: the page listing the kept passages (from ids in the URL: the shareable link;
the browser keeps the reader's own list, see static/dossier.js) and its exports."""
from __future__ import annotations

from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from .. import dossier
from ..deps import Ready
from ..html import render

router = APIRouter(include_in_schema=False)

Ids = Annotated[list[str] | None, Query(alias="id", max_length=dossier.MAX_ITEMS)]
Notes = Annotated[list[str] | None, Query(alias="note", max_length=dossier.MAX_ITEMS)]


def _query(ids: list[str], notes: list[str]) -> str:
    """The dossier as URL parameters: its ids in order, then their notes (when any is written)."""
    return urlencode([("id", i) for i in ids] + ([("note", n) for n in notes] if any(notes) else []))


@router.get("/dossier", response_class=HTMLResponse)
def dossier_page(request: Request, service: Ready, ids: Ids = None, notes: Notes = None,
                 fragment: str | None = None):
    """``?id=…&id=…&note=…``: that dossier (the shareable link); without ids, the page that
    dossier.js fills from the browser's own dossier (``fragment=list``: the list only)."""
    ids, notes = ids or [], notes or []
    found, missing = dossier.items(service.searcher(), ids, notes)
    query = _query([r["id"] for r in found], [r["note"] for r in found])
    return render("_dossier.html" if fragment == "list" else "dossier.html", items=found, missing=missing,
                  shared=bool(ids), query=query, share=str(request.base_url) + "dossier?" + query)


@router.get("/dossier/export.{format}")
def dossier_export(request: Request, service: Ready, format: Literal["md", "docx"], ids: Ids = None,
                   notes: Notes = None):
    """The dossier as a Markdown or Word file, with its bibliography."""
    found, _ = dossier.items(service.searcher(), ids or [], notes or [])
    base = str(request.base_url)
    share = base + "dossier?" + _query([r["id"] for r in found], [r["note"] for r in found])
    if format == "md":
        body, media = dossier.markdown(found, base, share).encode("utf-8"), "text/markdown; charset=utf-8"
    else:
        body, media = dossier.docx(found, base, share), dossier.DOCX_TYPE
    return Response(body, media_type=media,
                    headers={"Content-Disposition": f'attachment; filename="mon-dossier-catalyse.{format}"'})
