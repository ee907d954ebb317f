"""``GET /health``: 503 with the start-up's progress until the index is loaded, then 200 with its stats."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse

from ..deps import service_of
from ..errors import NotReady, noted
from ..service import Service

router = APIRouter()


@router.get("/health", summary="État du service et de l'index")
def health(request: Request, service: Annotated[Service, Depends(service_of)]):
    if not service.ready.is_set():
        noted(request, NotReady.code)       # the log says « not_ready », not an internal error
        return JSONResponse(status_code=503, content={"status": service.status})
    return {"status": "ok", "index": service.searcher().index.stats()}
