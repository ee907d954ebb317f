"""What readers asked (editors only): the most frequent questions and those that found nothing
relevant, with their trend, as JSON for the editor page and as CSV for a spreadsheet."""
from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from ..deps import Editor

router = APIRouter(prefix="/api")


@router.get("/questions", summary="Questions des lecteurs : les plus fréquentes, celles restées sans réponse")
def api_questions(service: Editor, top: Annotated[int, Query(ge=1, le=500)] = 20):
    return service.questions.summary(top)


@router.get("/questions.csv", summary="Toutes les questions des lecteurs, en CSV", response_class=Response)
def api_questions_csv(service: Editor):
    return Response(service.questions.csv(), media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": 'attachment; filename="questions-catalyse.csv"'})
