"""Request parameters shared by the JSON API and the page: the question, how many results, the
filters (one dependency for both), and upload file names."""
from __future__ import annotations

import re
import unicodedata
import uuid
from pathlib import Path
from typing import Annotated

from fastapi import Depends, Query, Request
from fastapi import Path as PathParam
from pydantic import Field

from search.filters import Filters

# What the page and the API accept as a question. search.answer searches its first
# MAX_QUERY_CHARS (500) characters and says so in a notice: a pasted paragraph is answered, not
# refused; past this bound the request is refused (422) before anything runs. Not measured: 10,000
# is a few pasted paragraphs (20 × the cut), and bounds what the question's clean-up walks through.
MAX_QUERY_PARAM = 10_000
MAX_RESULTS = 50            # k: a page of results, not an export

Question = Annotated[str, Query(max_length=MAX_QUERY_PARAM)]
ResultCount = Annotated[int, Query(ge=1, le=MAX_RESULTS)]


def search_filters(lever: Annotated[list[str] | None, Query()] = None,
                   sdg: Annotated[list[Annotated[int, Field(ge=1, le=17)]] | None, Query()] = None,
                   trade: Annotated[list[str] | None, Query()] = None,
                   entry_point: Annotated[list[str] | None, Query()] = None,
                   doc: Annotated[list[str] | None, Query()] = None,
                   lang: Annotated[list[str] | None, Query()] = None,
                   page_min: Annotated[int | None, Query(ge=1, le=1_000_000)] = None,
                   page_max: Annotated[int | None, Query(ge=1, le=1_000_000)] = None) -> Filters:
    """The filters of a request, parameter for parameter (each may be repeated)."""
    return Filters(lever=lever or [], sdg=sdg or [], trade=trade or [], entry_point=entry_point or [],
                   doc=doc or [], lang=lang or [], page_min=page_min, page_max=page_max)


SearchFilters = Annotated[Filters, Depends(search_filters)]

# sent by the page's script when a reader refines what they asked (results as they type, a facet
# ticked): such searches are answered and counted, not added to the question log
REFINE_HEADER = "X-Catalyse-Refine"


def refining(request: Request) -> bool:
    return request.headers.get(REFINE_HEADER) == "1"


Refining = Annotated[bool, Depends(refining)]


# A name that becomes a path is a file name of the disk: at most 255 bytes (NAME_MAX on Linux, ext4 and
# most file systems), no separator, no NUL; any other is unknown (404), never an OSError (500).
MAX_FILE_NAME_BYTES = 255
MAX_DOC_ID = 300            # a document id is a sanitised file stem (safe_name: 100 characters)
DocId = Annotated[str, PathParam(max_length=MAX_DOC_ID)]


def is_file_name(name: str) -> bool:
    """Whether ``name`` can be one file's name in a folder (and nothing more)."""
    return (0 < len(name.encode("utf-8", "surrogatepass")) <= MAX_FILE_NAME_BYTES and name not in (".", "..")
            and not any(c in name for c in "/\\\x00"))


def safe_name(filename: str) -> str:
    """A file stem safe on disk and in URLs: no path, no accents, no odd characters."""
    stem = Path(filename.replace("\\", "/")).name
    stem = Path(stem).stem
    stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    stem = re.sub(r"[^a-zA-Z0-9._-]+", "-", stem).strip(".-_").lower()
    return stem[:100] or f"publication-{uuid.uuid4().hex[:8]}"
