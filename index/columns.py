"""The fields filters and facets read, one numpy array per field and one row per passage (rows
sorted by vid, like the lexical index; a row is valid for its snapshot only), loaded once per
snapshot from the store: a filter is a boolean mask, a facet a count over the result set's rows —
milliseconds at a million passages."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .store import Store

LABEL_FACETS = ("levers", "sdg", "trades")
CODED = ("entry_point", "doc_id", "language")
BITSET_MAX_VALUES = 64      # one-value fields with few values are counted with bitmaps too


@dataclass
class Coded:
    """A one-value field: a code per row and the value of each code."""
    codes: np.ndarray
    values: list[str]


def _words64(packed: np.ndarray) -> np.ndarray:
    """Packed bits padded and viewed as 64-bit words: population counts go 8 times faster."""
    pad = (-packed.shape[-1]) % 8
    widths = [(0, 0)] * (packed.ndim - 1) + [(0, pad)]
    return np.ascontiguousarray(np.pad(packed, widths)).view(np.uint64)


class Columns:
    def __init__(self, vids: np.ndarray, coded: dict[str, Coded], pages: tuple[np.ndarray, np.ndarray],
                 labels: dict[str, Coded]):
        self.vids = vids
        self.coded = coded
        self.page_start, self.page_end = pages
        self.labels = labels          # multi-valued: a boolean matrix (rows × values) in ``codes``

    def __len__(self) -> int:
        return len(self.vids)

    @classmethod
    def load(cls, store: Store) -> "Columns":
        rows = store.db.execute(f"SELECT vid, {', '.join(CODED)}, page_start, page_end FROM passages ORDER BY vid").fetchall()
        vids = np.fromiter((r[0] for r in rows), np.int64, len(rows))
        coded = {}
        for i, name in enumerate(CODED, 1):
            values = sorted({r[i] for r in rows if r[i] is not None})
            code = {v: c for c, v in enumerate(values)}
            coded[name] = Coded(np.fromiter((code.get(r[i], -1) for r in rows), np.int32, len(rows)), values)
        pages = (np.fromiter((r[4] for r in rows), np.int64, len(rows)), np.fromiter((r[5] for r in rows), np.int64, len(rows)))
        labels = {}
        for facet in LABEL_FACETS:
            found = store.db.execute("SELECT vid, label FROM labels WHERE facet=?", (facet,)).fetchall()
            values = sorted({l for _, l in found}, key=lambda v: (len(v), v) if v.isdigit() else (0, v))
            code = {v: c for c, v in enumerate(values)}
            matrix = np.zeros((len(vids), len(values)), bool)
            if found:
                matrix[np.searchsorted(vids, [v for v, _ in found]), [code[l] for _, l in found]] = True
            labels[facet] = Coded(matrix, values)
        return cls(vids, coded, pages, labels)

    # -- filters -----------------------------------------------------------------------
    def has_label(self, facet: str, values: list[str]) -> np.ndarray:
        """Rows carrying any of ``values`` of a multi-valued facet."""
        labels = self.labels[facet]
        columns = [labels.values.index(v) for v in values if v in labels.values]
        return labels.codes[:, columns].any(axis=1) if columns else np.zeros(len(self), bool)

    def has_value(self, field: str, values: list[str]) -> np.ndarray:
        coded = self.coded[field]
        keep = np.zeros(len(self), bool)
        for code in {coded.values.index(v) for v in values if v in coded.values}:
            keep |= coded.codes == code
        return keep

    def mask(self, where: dict[str, list]) -> np.ndarray | None:
        """Rows passing a ``where`` (index.contract), or None when it filters nothing."""
        pages = {k: where[k] for k in ("page_min", "page_max") if where.get(k) is not None}
        fields = {k: [str(v) for v in vs] for k, vs in where.items() if k not in pages and vs}
        if not fields and not pages:
            return None
        keep = np.ones(len(self), bool)
        for field, values in fields.items():
            keep &= (self.has_label if field in self.labels else self.has_value)(field, values)
        if "page_min" in pages:
            keep &= self.page_end >= pages["page_min"]
        if "page_max" in pages:
            keep &= self.page_start <= pages["page_max"]
        return keep

    def rows_of(self, vids) -> np.ndarray:
        return np.searchsorted(self.vids, np.asarray(vids, np.int64))

    # -- facets ---------------------------------------------------------------------------
    def _bitsets(self, field: str) -> np.ndarray:
        """One packed bitmap of rows per value of a field (built once)."""
        cache = self.__dict__.setdefault("_packed", {})
        if field not in cache:
            if field in self.labels:
                flags = self.labels[field].codes.T
            else:
                coded = self.coded[field]
                flags = coded.codes[None, :] == np.arange(len(coded.values))[:, None]
            cache[field] = _words64(np.packbits(flags, axis=1))
        return cache[field]

    def entry_points(self, vids) -> list[str | None]:
        coded = self.coded["entry_point"]
        return [coded.values[c] if c >= 0 else None for c in coded.codes[self.rows_of(vids)]]

    def tally(self, selected: np.ndarray) -> "Tally":
        """Counts over the flagged rows (a result set)."""
        return Tally(self, selected)


class Tally:
    """Facet counts over one result set, its bitmap and rows computed once for every field."""

    def __init__(self, columns: Columns, selected: np.ndarray):
        self.columns = columns
        self.bitmap = _words64(np.packbits(selected))
        self.rows = np.flatnonzero(selected)

    def counts(self, field: str, limit: int | None = None) -> list[tuple[str, int]]:
        """(value, passages of the set holding it), most frequent first (ties in value order)."""
        columns = self.columns
        values = columns.labels[field].values if field in columns.labels else columns.coded[field].values
        if field in columns.labels or len(values) <= BITSET_MAX_VALUES:
            # AND of the result set's bitmap with each value's bitmap, then a population count
            n = np.bitwise_count(columns._bitsets(field) & self.bitmap).sum(axis=1, dtype=np.int64)
        else:
            codes = columns.coded[field].codes[self.rows]
            n = np.bincount(codes[codes >= 0], minlength=len(values))
        present = np.flatnonzero(n)
        order = present[np.lexsort((present, -n[present]))][:limit]
        return [(values[i], int(n[i])) for i in order]
