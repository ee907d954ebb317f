"""Filters on passages (lever, ODD, trade, entry point, document, language, pages), as row masks."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from index.columns import Columns


@dataclass
class Filters:
    levers: list[str] = field(default_factory=list)
    sdg: list[int] = field(default_factory=list)
    trades: list[str] = field(default_factory=list)
    entry_points: list[str] = field(default_factory=list)
    docs: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    page_min: int | None = None
    page_max: int | None = None

    def empty(self) -> bool:
        return not (self.levers or self.sdg or self.trades or self.entry_points or self.docs or self.languages
                    or self.page_min is not None or self.page_max is not None)

    def mask(self, columns: Columns) -> np.ndarray | None:
        """Rows (of ``columns``) that pass, or None when nothing is filtered: values of one
        filter are OR-ed, filters AND-ed."""
        if self.empty():
            return None
        keep = np.ones(len(columns), bool)
        for facet, values in (("levers", self.levers), ("sdg", self.sdg), ("trades", self.trades)):
            if values:
                keep &= columns.has_label(facet, [str(v) for v in values])
        for column, values in (("entry_point", self.entry_points), ("doc_id", self.docs),
                               ("language", self.languages)):
            if values:
                keep &= columns.has_value(column, list(values))
        if self.page_min is not None:
            keep &= columns.page_end >= self.page_min
        if self.page_max is not None:
            keep &= columns.page_start <= self.page_max
        return keep

    def allowed(self, columns: Columns) -> np.ndarray | None:
        """Ids of the passages that pass (sorted), or None when nothing is filtered."""
        keep = self.mask(columns)
        return None if keep is None else columns.vids[keep]
