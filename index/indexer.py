"""Write side of the index: add, remove and reindex publications, each as a new snapshot."""
from __future__ import annotations

import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np

from ingest.errors import CatalyseError
from ingest.pipeline import IngestedDocument, Ingestor
from ingest.progress import Progress
from ingest.readers import FORMATS, load_metadata

from ingest.actors import Directory

from .index import ACTORS, ANN, CONFIG, FORMAT, LEXICAL, SENTENCES, STORE, VECTORS, Index
from .postings import Postings
from .sentence_vectors import SentenceVectors
from .snapshots import Snapshots
from .store import Store
from .vectors import VectorIndex

Report = Callable[[str], None]


def _quiet(message: str) -> None:
    pass


class DuplicateDocument(CatalyseError):
    code = "duplicate_document"


class UnknownDocument(CatalyseError):
    code = "unknown_document"


@dataclass
class Change:
    doc_id: str
    status: str          # added, updated, unchanged, removed, refused
    passages: int = 0
    reason: str | None = None      # refused: the error's code…
    message: str | None = None     # …and its French message
    warnings: list[str] = field(default_factory=list)   # read, but not all of it (a page OCR could not read)


def publications(folder: Path) -> list[Path]:
    """Publication files of a corpus folder (metadata files aside), in name order."""
    return sorted(p for p in Path(folder).iterdir()
                  if p.is_file() and p.suffix.lower() in FORMATS and not p.name.endswith(".meta.json"))


class Indexer:
    def __init__(self, data_dir: Path, ingestor: Ingestor, ann_min: int | None = None):
        self.data_dir = Path(data_dir)
        self.ingestor = ingestor
        self.ann_min = ann_min if ann_min is not None else ingestor.embedder.settings.ann_min_passages
        self.snapshots = Snapshots(self.data_dir)
        self.originals = self.data_dir / "originals"

    @property
    def model(self) -> str:
        return self.ingestor.embedder.name

    # -- snapshots ------------------------------------------------------------------
    def _build(self, change: Callable[[Store, VectorIndex, SentenceVectors, Postings], None],
               fresh: bool = False) -> Index:
        """Copy the current snapshot (or start empty), apply ``change``, publish atomically."""
        build = self.snapshots.prepare()
        current = None if fresh else self.snapshots.current()
        try:
            if current is not None:
                old = Index.load(current)
                old.check_model(self.model)
                store = old.store.copy_to(build / STORE)
                vectors, sentences, lexical = old.vectors, old.sentences, old.lexical
                old.close()
            else:
                dim = self.ingestor.embedder.dim
                store, vectors, sentences, lexical = Store(build / STORE), VectorIndex(dim), SentenceVectors(dim), Postings()
            change(store, vectors, sentences, lexical)
            vectors.maintain(self.ann_min)
            # the directory merges actors across documents: rebuilt from every passage with each snapshot
            directory = Directory.build(store.all_passages())
            (build / ACTORS).write_text(json.dumps(directory.to_list(), ensure_ascii=False), encoding="utf-8")
            store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            store.close()
            config = {"format": FORMAT, "model": self.model, "dim": vectors.dim,
                      "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "store": STORE,
                      "vectors": vectors.save(build, VECTORS, ANN), "sentences": sentences.save(build, SENTENCES),
                      "lexical": lexical.save(build, LEXICAL), "actors": ACTORS}
            (build / CONFIG).write_text(json.dumps(config, indent=2))
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        return Index.load(self.snapshots.publish(build))

    def _write(self, items: list[IngestedDocument], fresh: bool = False) -> Index:
        """A new snapshot holding ``items``, each replacing any earlier version of its document."""
        def change(store: Store, vectors: VectorIndex, sentences: SentenceVectors, lexical: Postings) -> None:
            removed = [vid for item in items for vid in store.remove(item.document.id)]
            vectors.remove(removed)
            sentences.remove(removed)
            lexical.remove(removed)
            added_at = time.strftime("%Y-%m-%dT%H:%M:%S%z")
            vids: list[int] = []
            for item in items:
                own = store.next_vids(len(item.passages))
                store.add(item.document, item.passages, own, added_at)
                sentences.add(np.asarray(own, np.int64)[item.sentence_passages], item.sentence_vectors)
                vids += own
            if vids:    # the index files take the whole batch at once (each call re-stacks them)
                vectors.add(vids, np.concatenate([item.vectors for item in items]))
                lexical.add(vids, [p.text for item in items for p in item.passages],
                            [h for item in items for h in item.headers])

        return self._build(change, fresh=fresh)

    # -- originals ----------------------------------------------------------------------
    def _keep_original(self, path: Path, metadata: dict) -> None:
        folder = self.originals / path.stem
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True)
        shutil.copy2(path, tmp / path.name)
        (tmp / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False, indent=2))
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    def _stored_originals(self) -> list[tuple[Path, dict]]:
        out = []
        for folder in sorted(p for p in self.originals.glob("*") if p.is_dir() and not p.name.endswith(".tmp")):
            files = [f for f in folder.iterdir() if f.name != "metadata.json"]
            if files:
                out.append((files[0], json.loads((folder / "metadata.json").read_text())))
        return out

    # -- operations ------------------------------------------------------------------------
    def add(self, items: list[tuple[Path, dict | None]], progress: Progress | None = None,
            report: Report = _quiet, keep_going: bool = False) -> list[Change]:
        """Add or update publications (one snapshot for all). Each file is read, cut, tagged and
        embedded before anything is written, so a bad file changes nothing: it stops everything, or
        with ``keep_going`` it is refused (a Change with its reason) and the others go in."""
        report("en attente de l'index")
        progress = progress or Progress()
        progress.update(documents=len(items))
        with self.snapshots.lock():
            current = self.snapshots.current()
            index = Index.load(current) if current else None
            if index:
                index.check_model(self.model)
            seen: dict[str, str] = {}         # content hash → document id, within this batch
            named: dict[str, str] = {}        # document id → file name, within this batch

            def verdict(doc) -> Change | None:
                stored = index.store.document_by_hash(doc.content_hash) if index else None
                same = stored or seen.get(doc.content_hash)
                if same == doc.id and stored and index.store.document(doc.id).metadata == doc.metadata:
                    return Change(doc.id, "unchanged", len(index.store.vids_of_document(doc.id)))
                if same and same != doc.id:
                    raise DuplicateDocument(f"{doc.source} : contenu identique au document déjà indexé « {same} »")
                if doc.id in named:    # kit.docx and kit.pdf: one identifier, the file name without extension
                    raise DuplicateDocument(f"{doc.source} : même nom que {named[doc.id]} (un document est "
                                            f"identifié par son nom sans extension)")
                seen[doc.content_hash], named[doc.id] = doc.id, doc.source
                return None

            todo: list[tuple[Path, dict, IngestedDocument]] = []
            changes: list[Change] = []

            def refuse(path: Path, error: CatalyseError) -> None:
                if not keep_going:
                    raise error
                changes.append(Change(path.stem, "refused", reason=error.code, message=str(error)))

            readable = []
            for path, meta in items:
                try:
                    readable.append((Path(path), meta if meta is not None else load_metadata(Path(path))))
                except CatalyseError as exc:
                    refuse(Path(path), exc)
            listen = lambda p: report(p.step)     # noqa: E731
            progress.listeners.append(listen)
            try:
                for path, meta, outcome in self.ingestor.run_many(readable, progress, verdict):
                    if isinstance(outcome, CatalyseError):
                        refuse(path, outcome)
                    elif isinstance(outcome, Change):
                        changes.append(outcome)
                    else:
                        doc = outcome.document
                        status = "updated" if index and index.store.document(doc.id) else "added"
                        todo.append((path, meta, outcome))
                        changes.append(Change(doc.id, status, len(outcome.passages), warnings=doc.warnings))
            finally:
                progress.listeners.remove(listen)
                if index:
                    index.close()
            if not todo:
                return changes
            for path, meta, _ in todo:
                self._keep_original(path, meta)
            report("écriture d'un nouvel instantané de l'index")
            self._write([ingested for _, _, ingested in todo])
            return changes

    def add_ingested(self, items: list[IngestedDocument]) -> list[Change]:
        """Add documents already cut, tagged and embedded (bulk loads, benchmarks), in one snapshot."""
        with self.snapshots.lock():
            self._write(items)
            return [Change(i.document.id, "added", len(i.passages)) for i in items]

    def remove(self, doc_id: str) -> Change:
        with self.snapshots.lock():
            current = self.snapshots.current()
            index = Index.load(current) if current else None
            if index is None or index.store.document(doc_id) is None:
                raise UnknownDocument(f"document inconnu : {doc_id}")
            index.close()
            removed: list[int] = []

            def change(store: Store, vectors: VectorIndex, sentences: SentenceVectors, lexical: Postings) -> None:
                removed.extend(store.remove(doc_id))
                vectors.remove(removed)
                sentences.remove(removed)
                lexical.remove(removed)

            self._build(change)
            shutil.rmtree(self.originals / doc_id, ignore_errors=True)
            return Change(doc_id, "removed", len(removed))

    def reindex(self, progress: Progress | None = None, report: Report = _quiet) -> list[Change]:
        """Rebuild from the stored originals with the configured model, into a fresh snapshot."""
        with self.snapshots.lock():
            originals = self._stored_originals()
            progress = progress or Progress()
            progress.update(documents=len(originals))
            listen = lambda p: report(f"réindexation : {p.step}")     # noqa: E731
            progress.listeners.append(listen)
            try:
                ingested = []
                for path, _, outcome in self.ingestor.run_many(originals, progress):
                    if isinstance(outcome, CatalyseError):
                        raise outcome
                    ingested.append(outcome)
            finally:
                progress.listeners.remove(listen)
            report("écriture d'un nouvel instantané de l'index")
            self._write(ingested, fresh=True)
            return [Change(i.document.id, "added", len(i.passages), warnings=i.document.warnings) for i in ingested]

    def ingest_folder(self, folder: Path, progress: Progress | None = None, keep_going: bool = False) -> list[Change]:
        return self.add([(p, None) for p in publications(folder)], progress=progress, keep_going=keep_going)
