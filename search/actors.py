"""The directory of actors as the page, the API and the overview read it: find people and
organisations by name, keep those whose passages pass the search filters (lever, ODD, trade…),
one page at a time; one actor with the passages where they speak or are cited, each with the page to cite."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ingest.actors import Actor, fold
from ingest.document import Passage

from .filters import Filters
from .searcher import Searcher

PER_PAGE = 20
MAX_PER_PAGE = 100
EXCERPT_CHARS = 280


@dataclass
class ActorsIndex:
    """What a snapshot's directory needs at query time, computed once per snapshot."""

    actors: list[Actor]
    by_id: dict[str, Actor]
    rows: list[np.ndarray]             # per actor: the rows (index.columns) of its passages
    names: list[str]                   # per actor: its variants and role, folded (what a name query matches)

    @classmethod
    def of(cls, searcher: Searcher) -> "ActorsIndex":
        def build() -> ActorsIndex:
            index = searcher.index
            actors = index.actors.actors
            vids = index.store.passage_vids()
            columns_vids = index.columns.vids
            rows = []
            for actor in actors:
                own = np.asarray(sorted(vids[p] for p in actor.passages if p in vids), np.int64)
                rows.append(np.searchsorted(columns_vids, own))
            names = [fold(" ".join(a.variants)) for a in actors]
            return cls(actors, {a.id: a for a in actors}, rows, names)

        return searcher.answers.get_or(("actors index",), build)


def _matches(name: str, q: str) -> bool:
    """Every word of the question starts a word of the name (« heidsi », « fondation france »)."""
    words = [w for w in fold(q).replace("-", " ").split() if w]
    padded = " " + name.replace("-", " ").replace("'", " ")
    return all(f" {w}" in padded for w in words)


def find_actors(searcher: Searcher, q: str = "", filters: Filters | None = None, kind: str | None = None,
                page: int = 1, per_page: int = PER_PAGE) -> dict:
    """Actors whose name holds the question's words and who have passages passing ``filters``; the
    most cited first (then by name, so the order is the same in every process)."""
    directory = ActorsIndex.of(searcher)
    keep = (filters or Filters()).mask(searcher.index.columns)
    found = []
    for actor, rows, name in zip(directory.actors, directory.rows, directory.names):
        if kind and actor.kind != kind or q.strip() and not _matches(name, q):
            continue
        count = int(keep[rows].sum()) if keep is not None else len(rows)
        if count:
            found.append((actor, count))
    found.sort(key=lambda x: (-x[1], fold(x[0].name)))
    start = (page - 1) * per_page
    return {"q": q, "kind": kind, "total": len(found), "page": page, "per_page": per_page,
            "actors": [summary(a, directory, passages=n) for a, n in found[start:start + per_page]]}


def summary(actor: Actor, directory: ActorsIndex, passages: int | None = None) -> dict:
    org = directory.by_id.get(actor.organisation) if actor.organisation else None
    return {"id": actor.id, "kind": actor.kind, "name": actor.name, "variants": actor.variants, "role": actor.role,
            "organisation": {"id": org.id, "name": org.name} if org else None,
            "passages": len(actor.passages) if passages is None else passages,
            "pages": sorted({m.page for m in actor.mentions})}


def actor_detail(searcher: Searcher, actor_id: str) -> dict | None:
    """One actor: who they are, their organisation's people (for an organisation), and each passage
    where they speak or are cited, with its document, page and an excerpt; None if unknown."""
    directory = ActorsIndex.of(searcher)
    actor = directory.by_id.get(actor_id)
    if actor is None:
        return None
    store = searcher.index.store
    vids = {pid: store.vid_of(pid) for pid in actor.passages}
    passages = store.passages([v for v in vids.values() if v is not None])
    by_id: dict[str, Passage] = {p.id: p for p in passages.values()}
    out = []
    for m in actor.mentions:
        p = by_id.get(m.passage_id)
        if p is None:
            continue
        out.append({"id": p.id, "doc_id": p.doc_id, "doc_title": searcher.titles.get(p.doc_id, p.doc_id),
                    "how": m.how, "page_start": p.page_start, "page_end": p.page_end, "location": p.location(),
                    "anchor": p.anchor(), "link": p.link, "section": " › ".join(p.section), "speaker": p.speaker,
                    "excerpt": _excerpt(p.text, actor)})
    members = [summary(a, directory) for a in directory.actors if a.kind == "person" and a.organisation == actor.id]
    return {**summary(actor, directory), "people": members, "mentions": out}


def _excerpt(text: str, actor: Actor) -> str:
    """About EXCERPT_CHARS characters of the passage around the first spelling of the actor's name."""
    flat = " ".join(text.split())
    folded = fold(flat)
    at = min((i for v in actor.variants if (i := folded.find(fold(v))) >= 0), default=0)
    start = max(0, at - EXCERPT_CHARS // 3)
    start = flat.rfind(" ", 0, start) + 1 if start else 0
    piece = flat[start:start + EXCERPT_CHARS]
    return ("… " if start else "") + piece + (" …" if start + EXCERPT_CHARS < len(flat) else "")


def organisations_cited(searcher: Searcher, passage_ids: list[str], n: int = 5) -> list[dict]:
    """The directory's organisations most named by these passages (speaking or cited), as the overview
    lists them: by count, then by name, so two processes give the same order."""
    directory = ActorsIndex.of(searcher)
    of_passage = searcher.answers.get_or(("actors of passages",), lambda: searcher.index.actors.of_passages())
    counts: dict[str, int] = {}
    for pid in dict.fromkeys(passage_ids):
        for actor_id in of_passage.get(pid, ()):
            if directory.by_id[actor_id].kind == "organisation":
                counts[actor_id] = counts.get(actor_id, 0) + 1
    ranked = sorted(counts.items(), key=lambda x: (-x[1], fold(directory.by_id[x[0]].name)))
    return [{"id": i, "name": directory.by_id[i].name, "count": c} for i, c in ranked[:n]]


