"""Facets: small registered classes, each counting one field over a result set."""
from __future__ import annotations

from ingest.taxonomy import label_of

from index.store import Store


class Facet:
    name: str = ""
    taxonomy: str | None = None      # glossary section giving the French labels

    def counts(self, store: Store, table: str) -> list[tuple[str, int]]:
        raise NotImplementedError

    def label(self, value: str, store: Store) -> str:
        return label_of(self.taxonomy, value) if self.taxonomy else value

    def __call__(self, store: Store, table: str) -> list[dict]:
        return [{"id": int(v) if self.name == "sdg" else v, "label": self.label(v, store), "count": n}
                for v, n in self.counts(store, table)]


class LabelFacet(Facet):
    def counts(self, store, table):
        rows = store.db.execute(f"SELECT label, COUNT(*) FROM labels WHERE facet=? AND vid IN (SELECT vid FROM {table}) "
                                "GROUP BY label ORDER BY COUNT(*) DESC, label", (self.name,))
        return [(str(v), n) for v, n in rows]


class ColumnFacet(Facet):
    column = ""

    def counts(self, store, table):
        rows = store.db.execute(f"SELECT {self.column}, COUNT(*) FROM passages WHERE vid IN (SELECT vid FROM {table}) "
                                f"AND {self.column} IS NOT NULL GROUP BY {self.column} ORDER BY COUNT(*) DESC, {self.column}")
        return list(rows)


class Levers(LabelFacet):
    name, taxonomy = "levers", "levers"


class Sdg(LabelFacet):
    name, taxonomy = "sdg", "sdg"


class Trades(LabelFacet):
    name, taxonomy = "trades", "trades"


class EntryPoints(ColumnFacet):
    name, taxonomy, column = "entry_point", "entry_points", "entry_point"


class Documents(ColumnFacet):
    name, column = "doc", "doc_id"

    def label(self, value, store):
        return store.titles().get(value, value)


class Languages(ColumnFacet):
    name, column = "lang", "language"


FACETS: list[Facet] = [Levers(), Sdg(), Trades(), EntryPoints(), Documents(), Languages()]


def facet_counts(store: Store, vids: set[int]) -> dict[str, list[dict]]:
    """Counts of every facet over the passages ``vids`` (the whole result set, not the top k)."""
    db = store.db
    db.execute("CREATE TEMP TABLE IF NOT EXISTS result_set (vid INTEGER PRIMARY KEY)")
    db.execute("DELETE FROM result_set")
    db.executemany("INSERT INTO result_set VALUES (?)", [(v,) for v in vids])
    try:
        return {facet.name: facet(store, "result_set") for facet in FACETS}
    finally:
        db.execute("DELETE FROM result_set")
