"""Filters on passages (lever, ODD, trade, entry point, document, language, pages), as row masks."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.columns import Columns
from ingest.glossary import FACETS


@dataclass
class Filters:
    """The passages a question may return: one field per URL parameter, named as it (see
    ``ingest.glossary.FACETS``), each holding the accepted values."""

    lever: list[str] = field(default_factory=list)
    sdg: list[int] = field(default_factory=list)
    trade: list[str] = field(default_factory=list)
    entry_point: list[str] = field(default_factory=list)
    doc: list[str] = field(default_factory=list)
    lang: list[str] = field(default_factory=list)
    page_min: int | None = None
    page_max: int | None = None

    def empty(self) -> bool:
        return not (any(getattr(self, f.param) for f in FACETS)
                    or self.page_min is not None or self.page_max is not None)

    def where(self) -> dict[str, list]:
        """The filters as an index backend takes them (index.contract): column → accepted values."""
        where: dict[str, list] = {f.column: list(getattr(self, f.param)) for f in FACETS if getattr(self, f.param)}
        return where | {k: getattr(self, k) for k in ("page_min", "page_max") if getattr(self, k) is not None}

    def mask(self, columns: Columns) -> np.ndarray | None:
        """Rows (of ``columns``) that pass, or None when nothing is filtered: values of one
        filter are OR-ed, filters AND-ed."""
        return columns.mask(self.where())

    def allowed(self, columns: Columns) -> np.ndarray | None:
        """Ids of the passages that pass (sorted), or None when nothing is filtered."""
        keep = self.mask(columns)
        return None if keep is None else columns.vids[keep]
