"""Request parameters shared by the JSON API and the page: filters and upload file names."""
from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import Query
from pydantic import Field

from search.filters import Filters


def filters_from(lever: list[str] | None, sdg: list[int] | None, trade: list[str] | None,
                 entry_point: list[str] | None, doc: list[str] | None, lang: list[str] | None,
                 page_min: int | None, page_max: int | None) -> Filters:
    return Filters(lever=lever or [], sdg=sdg or [], trade=trade or [], entry_point=entry_point or [],
                   doc=doc or [], lang=lang or [], page_min=page_min, page_max=page_max)


def search_filters(lever: Annotated[list[str] | None, Query()] = None,
                   sdg: Annotated[list[Annotated[int, Field(ge=1, le=17)]] | None, Query()] = None,
                   trade: Annotated[list[str] | None, Query()] = None,
                   entry_point: Annotated[list[str] | None, Query()] = None,
                   doc: Annotated[list[str] | None, Query()] = None,
                   lang: Annotated[list[str] | None, Query()] = None,
                   page_min: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
                   page_max: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> Filters:
    return filters_from(lever, sdg, trade, entry_point, doc, lang, page_min, page_max)


def safe_name(filename: str) -> str:
    """A file stem safe on disk and in URLs: no path, no accents, no odd characters."""
    stem = Path(filename.replace("\\", "/")).name
    stem = Path(stem).stem
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-zA-Z0-9._-]+", "-", stem).strip(".-_").lower()
    return stem[:100] or f"publication-{uuid.uuid4().hex[:8]}"


