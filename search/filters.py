"""Filters on passages (lever, ODD, trade, entry point, document, language, pages), as SQL."""
from __future__ import annotations

from dataclasses import dataclass, field

from index.store import Store


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

    def sql(self) -> tuple[str, list]:
        """A WHERE clause over ``passages p``: values of one filter are OR-ed, filters AND-ed."""
        where, args = [], []
        for facet, values in (("levers", self.levers), ("sdg", self.sdg), ("trades", self.trades)):
            if values:
                where.append(f"p.vid IN (SELECT vid FROM labels WHERE facet=? AND label IN "
                             f"({','.join('?' * len(values))}))")
                args += [facet, *map(str, values)]
        for column, values in (("entry_point", self.entry_points), ("doc_id", self.docs),
                               ("language", self.languages)):
            if values:
                where.append(f"p.{column} IN ({','.join('?' * len(values))})")
                args += list(values)
        if self.page_min is not None:
            where.append("p.page_end >= ?")
            args.append(self.page_min)
        if self.page_max is not None:
            where.append("p.page_start <= ?")
            args.append(self.page_max)
        return (" AND ".join(where) or "1"), args

    def allowed(self, store: Store) -> list[int] | None:
        """Passage ids that pass, or None when nothing is filtered."""
        if self.empty():
            return None
        clause, args = self.sql()
        return [r[0] for r in store.db.execute(f"SELECT p.vid FROM passages p WHERE {clause}", args)]
