"""What a route needs before it runs: the service (ready to answer) and, for editors, a valid
bearer token (RFC 6750: ``Authorization: Bearer <token>``, the scheme in any case)."""
from __future__ import annotations

import hmac
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from .errors import BadToken, EditingDisabled, NotReady, WebError
from .service import Service

# parses the header (scheme compared case-insensitively) and documents the scheme in OpenAPI;
# a missing or malformed header gives None here and a 401 below, with our error body
bearer = HTTPBearer(auto_error=False, description="le jeton d'édition (CATALYSE_EDITOR_TOKEN)")


def service_of(request: Request) -> Service:
    return request.app.state.service


def ready(service: Annotated[Service, Depends(service_of)]) -> Service:
    if not service.ready.is_set():
        raise NotReady(service.status)
    return service


def editor_refusal(service: Service, authorization: str) -> WebError | None:
    """Why an ``Authorization`` header does not open the editor endpoints, if it does not (the request
    guard asks before reading a body, the routes again)."""
    token = service.config.editor_token
    if not token:
        return EditingDisabled("l'édition est désactivée (CATALYSE_EDITOR_TOKEN absent)")
    scheme, _, given = authorization.strip().partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(given.strip().encode(), token.encode()):
        return BadToken("jeton d'édition manquant ou invalide")
    return None


def editor(service: Annotated[Service, Depends(service_of)],
           credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]) -> Service:
    refused = editor_refusal(service, f"Bearer {credentials.credentials}" if credentials else "")
    if refused is not None:
        raise refused
    return ready(service)


Ready = Annotated[Service, Depends(ready)]
Editor = Annotated[Service, Depends(editor)]
