"""Errors as HTTP answers. Every error a client can cause is a ``CatalyseError`` with a stable code;
``STATUS`` is the one table from its type to its HTTP status, and every error body is
``{"error": {"code", "message"}}``."""
from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.exception_handlers import request_validation_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from index.indexer import DuplicateDocument, UnknownDocument
from ingest.corrections import UnknownPassage
from ingest.errors import CatalyseError
from ingest.metadata import BadMetadata
from search.related import UnknownSource

from .html import render
from .jobs import JobRunning


class WebError(CatalyseError):
    """An error the web layer finds itself: the service's state, a client's rights, an upload's shape."""

    headers: dict[str, str] = {}


class NotReady(WebError):
    code = "not_ready"


class EditingDisabled(WebError):
    code = "editing_disabled"


class BadToken(WebError):
    code = "bad_token"
    headers = {"WWW-Authenticate": "Bearer"}


class RateLimited(WebError):
    code = "rate_limited"

    def __init__(self, message: str, retry_after: int):
        super().__init__(message)
        self.headers = {"Retry-After": str(retry_after)}


class TooLarge(WebError):
    code = "too_large"


class AmbiguousLength(WebError):
    code = "ambiguous_length"
    headers = {"Connection": "close"}       # what follows the body on this connection is never read


class SlowBody(WebError):
    code = "slow_body"


class EmptyFile(WebError):
    code = "empty_file"


class UnsupportedType(WebError):
    code = "unsupported_type"


class NotFound(WebError):
    code = "not_found"


class NameTaken(WebError):
    code = "name_taken"


class UnknownJob(WebError):
    code = "unknown_job"


STATUS: dict[type[CatalyseError], int] = {
    NotReady: 503, EditingDisabled: 403, BadToken: 401, RateLimited: 429,
    TooLarge: 413, SlowBody: 408, AmbiguousLength: 400, EmptyFile: 422, BadMetadata: 422, UnsupportedType: 415,
    NotFound: 404, UnknownJob: 404, UnknownDocument: 404, UnknownSource: 404, UnknownPassage: 404,
    DuplicateDocument: 409, NameTaken: 409, JobRunning: 409,
}
OTHER_STATUS = 422          # any other CatalyseError: the input was understood but cannot be used


def status_of(error: CatalyseError) -> int:
    return next((STATUS[t] for t in type(error).__mro__ if t in STATUS), OTHER_STATUS)


def error_body(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    return JSONResponse(status_code=status, content={"error": {"code": code, "message": message}}, headers=headers)


def error_response(error: CatalyseError) -> JSONResponse:
    return error_body(status_of(error), error.code, str(error), getattr(error, "headers", None) or None)


def noted(request: Request, code: str) -> None:
    """The error's code, for the request's log line (api.observability)."""
    request.state.error_code = code


async def _catalyse_error(request: Request, exc: CatalyseError) -> JSONResponse:
    noted(request, exc.code)
    return error_response(exc)


async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Starlette's own errors (an unknown route, a wrong method) in the same shape; a body the request
    guard refused while it streamed in carries its CatalyseError."""
    if isinstance(getattr(exc, "error", None), CatalyseError):
        noted(request, exc.error.code)
        return error_response(exc.error)
    noted(request, "http_error")
    return error_body(exc.status_code, "http_error", str(exc.detail), exc.headers)


async def _invalid_parameters(request: Request, exc: RequestValidationError):
    """A parameter out of its bounds: FastAPI's detailed 422 for the API, a page for a reader."""
    noted(request, "invalid_parameters")
    if request.url.path == "/":
        names = sorted({str(e["loc"][1]) for e in exc.errors() if len(e.get("loc", ())) > 1})   # ("query", name, …)
        return render("invalid.html", status=422, names=names)
    return await request_validation_exception_handler(request, exc)


def install(app: FastAPI) -> None:
    app.add_exception_handler(CatalyseError, _catalyse_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _invalid_parameters)
