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

    def mask(self, columns: Columns) -> np.ndarray | None:
        """Rows (of ``columns``) that pass, or None when nothing is filtered: values of one
        filter are OR-ed, filters AND-ed."""
        if self.empty():
            return None
        keep = np.ones(len(columns), bool)
        for facet in FACETS:
            values = [str(v) for v in getattr(self, facet.param)]
            if values:
                has = columns.has_label if facet.column in columns.labels else columns.has_value
                keep &= has(facet.column, values)
        if self.page_min is not None:
            keep &= columns.page_end >= self.page_min
        if self.page_max is not None:
            keep &= columns.page_start <= self.page_max
        return keep

    def allowed(self, columns: Columns) -> np.ndarray | None:
        """Ids of the passages that pass (sorted), or None when nothing is filtered."""
        keep = self.mask(columns)
        return None if keep is None else columns.vids[keep]
