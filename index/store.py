"""SQLite store of documents and passages, keyed by vid; labels in their own table. Filters and facets
read them once per snapshot as arrays (columns.py), not through SQL."""
from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Iterator

from ingest.document import Document, Passage
from ingest.metadata import current_names


SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    id TEXT PRIMARY KEY, title TEXT NOT NULL, source TEXT, content_hash TEXT, pages INTEGER,
    metadata TEXT, added_at TEXT, text TEXT, page_starts TEXT);
CREATE TABLE IF NOT EXISTS passages (
    vid INTEGER PRIMARY KEY, id TEXT UNIQUE NOT NULL, doc_id TEXT NOT NULL REFERENCES documents(id),
    entry_point TEXT, language TEXT, page_start INTEGER, page_end INTEGER, data TEXT NOT NULL,
    slide INTEGER, time_start REAL, time_end REAL);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id);
CREATE TABLE IF NOT EXISTS labels (vid INTEGER NOT NULL, facet TEXT NOT NULL, label TEXT NOT NULL, score REAL);
CREATE INDEX IF NOT EXISTS labels_facet ON labels(facet, label);
CREATE INDEX IF NOT EXISTS labels_vid ON labels(vid);
CREATE TABLE IF NOT EXISTS counters (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
"""


class Store:
    """One SQLite connection per thread, so concurrent searches never share a cursor."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.executescript(SCHEMA)

    @property
    def db(self) -> sqlite3.Connection:
        conn = getattr(self._local, "conn", None)
        if conn is None:
            conn = sqlite3.connect(str(self.path), check_same_thread=False)
            conn.row_factory = sqlite3.Row
            self._local.conn = conn
            self._all.append(conn)
        return conn

    def close(self) -> None:
        for conn in self._all:
            conn.close()
        self._all.clear()
        self._local = threading.local()

    def copy_to(self, path: Path) -> "Store":
        target = sqlite3.connect(str(path))
        self.db.backup(target)
        target.close()
        return Store(path)

    # -- writing ---------------------------------------------------------------
    def next_vids(self, n: int) -> list[int]:
        """``n`` new vids: integers never given before in this index (see ingest/glossary.py)."""
        row = self.db.execute("SELECT value FROM counters WHERE name='vid'").fetchone()
        first = row[0] if row else 0
        self.db.execute("INSERT OR REPLACE INTO counters VALUES ('vid', ?)", (first + n,))
        return list(range(first, first + n))

    def add(self, doc: Document, passages: list[Passage], vids: list[int], added_at: str) -> None:
        """Store a document and its passages (with their labels)."""
        with self.db:
            self.db.execute("INSERT OR REPLACE INTO documents VALUES (?,?,?,?,?,?,?,?,?)",
                            (doc.id, doc.title, doc.source, doc.content_hash, doc.pages,
                             json.dumps(doc.metadata, ensure_ascii=False), added_at, doc.text,
                             json.dumps(doc.page_starts)))
            for vid, p in zip(vids, passages):
                self.db.execute("INSERT INTO passages VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                                (vid, p.id, p.doc_id, p.tags.entry_point.id if p.tags.entry_point else None,
                                 p.language, p.page_start, p.page_end,
                                 json.dumps(p.to_dict(), ensure_ascii=False), p.slide, p.time_start, p.time_end))
                rows = [(vid, facet, str(l.id), l.score) for facet in ("levers", "sdg", "trades")
                        for l in getattr(p.tags, facet)]
                self.db.executemany("INSERT INTO labels VALUES (?,?,?,?)", rows)

    def retag(self, passages: dict[int, Passage]) -> None:
        """Replace the tags of stored passages (an editor's correction): their data, entry point and labels."""
        with self.db:
            for vid, p in passages.items():
                self.db.execute("UPDATE passages SET data=?, entry_point=? WHERE vid=?",
                                (json.dumps(p.to_dict(), ensure_ascii=False),
                                 p.tags.entry_point.id if p.tags.entry_point else None, vid))
                self.db.execute("DELETE FROM labels WHERE vid=?", (vid,))
                self.db.executemany("INSERT INTO labels VALUES (?,?,?,?)",
                                    [(vid, facet, str(l.id), l.score) for facet in ("levers", "sdg", "trades")
                                     for l in getattr(p.tags, facet)])

    def remove(self, doc_id: str) -> list[int]:
        vids = [r[0] for r in self.db.execute("SELECT vid FROM passages WHERE doc_id=?", (doc_id,))]
        with self.db:
            self.db.executemany("DELETE FROM labels WHERE vid=?", [(v,) for v in vids])
            self.db.execute("DELETE FROM passages WHERE doc_id=?", (doc_id,))
            self.db.execute("DELETE FROM documents WHERE id=?", (doc_id,))
        return vids

    # -- reading ---------------------------------------------------------------
    def documents(self) -> list[dict]:
        rows = self.db.execute(
            "SELECT d.id, d.title, d.source, d.content_hash, d.pages, d.metadata, d.added_at, "
            "(SELECT COUNT(*) FROM passages p WHERE p.doc_id = d.id) AS passages FROM documents d ORDER BY d.id")
        return [dict(r, metadata=_metadata(r)) for r in rows]

    def document(self, doc_id: str) -> Document | None:
        r = self.db.execute("SELECT * FROM documents WHERE id=?", (doc_id,)).fetchone()
        if r is None:
            return None
        return Document(id=r["id"], title=r["title"], text=r["text"], page_starts=json.loads(r["page_starts"]),
                        metadata=_metadata(r), source=r["source"],
                        content_hash=r["content_hash"])

    def page_starts(self, doc_id: str) -> list[int]:
        """Where each printed page (or slide) of a publication starts in its text (Document.page_starts)."""
        r = self.db.execute("SELECT page_starts FROM documents WHERE id=?", (doc_id,)).fetchone()
        return json.loads(r[0]) if r else []

    def document_by_hash(self, content_hash: str) -> str | None:
        r = self.db.execute("SELECT id FROM documents WHERE content_hash=?", (content_hash,)).fetchone()
        return r[0] if r else None

    def titles(self) -> dict[str, str]:
        """doc id → title of the publication."""
        return dict(self.db.execute("SELECT id, title FROM documents"))

    def passage_vids(self) -> dict[str, int]:
        """passage id → vid, for every passage."""
        return dict(self.db.execute("SELECT id, vid FROM passages"))

    def source_files(self) -> dict[str, str]:
        """doc id → file name of the publication (for links to the cited page)."""
        return dict(self.db.execute("SELECT id, source FROM documents"))

    def passages(self, vids: list[int]) -> dict[int, Passage]:
        out = {}
        for i in range(0, len(vids), 500):
            batch = vids[i:i + 500]
            rows = self.db.execute(f"SELECT vid, data FROM passages WHERE vid IN ({','.join('?' * len(batch))})",
                                   batch)
            out.update({r[0]: Passage.from_dict(json.loads(r[1])) for r in rows})
        return out

    def all_passages(self) -> Iterator[Passage]:
        """Every passage, in vid order, read in batches."""
        last = -1
        while True:
            rows = self.db.execute("SELECT vid, data FROM passages WHERE vid > ? ORDER BY vid LIMIT 1000", (last,)).fetchall()
            if not rows:
                return
            for vid, data in rows:
                yield Passage.from_dict(json.loads(data))
            last = rows[-1][0]

    def vid_of(self, passage_id: str) -> int | None:
        r = self.db.execute("SELECT vid FROM passages WHERE id=?", (passage_id,)).fetchone()
        return r[0] if r else None

    def next_in_document(self, vid: int) -> int | None:
        """The passage after ``vid`` in its publication (passages of one publication are written in order)."""
        r = self.db.execute("SELECT vid FROM passages WHERE doc_id=(SELECT doc_id FROM passages WHERE vid=?) AND vid>? "
                            "ORDER BY vid LIMIT 1", (vid, vid)).fetchone()
        return r[0] if r else None

    def vids_of_section_kind(self, section_kind: str) -> list[int]:
        """The passages of one section kind (a field of each passage's record: ``kind`` in older records)."""
        rows = self.db.execute("SELECT vid FROM passages WHERE coalesce(json_extract(data, '$.section_kind'), "
                               "json_extract(data, '$.kind')) = ? ORDER BY vid", (section_kind,))
        return [r[0] for r in rows]

    def vids_of_document(self, doc_id: str) -> list[int]:
        return [r[0] for r in self.db.execute("SELECT vid FROM passages WHERE doc_id=? ORDER BY vid", (doc_id,))]

    def count(self, table: str) -> int:
        assert table in ("documents", "passages")
        return self.db.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def snapshot_documents(snapshot: Path) -> list[tuple[str, str, str]]:
    """(id, source file name, SHA-256 of the original) of each document of a snapshot's store, read
    without writing anything to the snapshot (immutable: a backup reads a folder being served)."""
    db = sqlite3.connect(f"file:{snapshot / 'store.sqlite'}?immutable=1", uri=True)
    try:
        return db.execute("SELECT id, source, content_hash FROM documents ORDER BY id").fetchall()
    finally:
        db.close()


def _metadata(row: sqlite3.Row) -> dict:
    """A document's metadata under today's field names (a snapshot written before 0.3.0 says « kind »)."""
    return current_names(json.loads(row["metadata"] or "{}"))
