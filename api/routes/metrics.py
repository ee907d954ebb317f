"""``GET /metrics``: the service's metrics in the Prometheus text format (api/metrics.py)."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from ..deps import service_of
from ..metrics import CONTENT_TYPE
from ..service import Service

router = APIRouter()


@router.get("/metrics", summary="Métriques au format Prometheus", response_class=Response)
def metrics(service: Annotated[Service, Depends(service_of)]):
    return Response(service.metrics.exposition(), media_type=CONTENT_TYPE)
