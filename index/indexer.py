"""Write side of the index: add, remove and reindex publications, each as a new snapshot."""
from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from ingest.checkpoints import UNSTOPPABLE, Checkpoints
from ingest.corrections import Corrections, Edit, UnknownPassage
from ingest.errors import CatalyseError
from ingest.metadata import current_names
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
Originals = Sequence[tuple[Path, dict]]      # a publication's file and its metadata
STAGED, DROPPED = "originals", "originals-dropped.json"   # in a build: what its switch commits


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
               fresh: bool = False, keep: Originals = (), drop: Sequence[str] = ()) -> Index:
        """Copy the current snapshot (or start empty), apply ``change``, publish atomically. The
        originals to ``keep`` (and the documents whose originals to ``drop``) are staged in the build
        and committed with it: a kill before the switch leaves none of them, after it all of them."""
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
            config = {"format": FORMAT, "model": self.model, "dim": vectors.dim, "tagger": self.ingestor.tagger.name,
                      "corrections": Corrections.load(self.data_dir).digest(),
                      "built_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "store": STORE,
                      "vectors": vectors.save(build, VECTORS, ANN), "sentences": sentences.save(build, SENTENCES),
                      "lexical": lexical.save(build, LEXICAL), "actors": ACTORS}
            (build / CONFIG).write_text(json.dumps(config, indent=2))
            self._stage_originals(build, keep, drop)
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        published = self.snapshots.publish(build)
        self._commit_originals(published)
        return Index.load(published)

    def _write(self, items: list[IngestedDocument], fresh: bool = False, keep: Originals = ()) -> Index:
        """A new snapshot holding ``items``, each replacing any earlier version of its document."""
        corrections = Corrections.load(self.data_dir)     # the editors' word wins over the tagger's
        for item in items:
            corrections.apply(item.passages)

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

        return self._build(change, fresh=fresh, keep=keep)

    # -- originals: originals/<doc id>/<file> and its metadata.json, one folder per indexed document ---------
    @staticmethod
    def _stage_originals(build: Path, keep: Originals, drop: Sequence[str]) -> None:
        for path, metadata in keep:
            folder = build / STAGED / path.stem
            folder.mkdir(parents=True)
            shutil.copy2(path, folder / path.name)
            (folder / "metadata.json").write_text(json.dumps(metadata, ensure_ascii=False, indent=2))
        if drop:
            (build / DROPPED).write_text(json.dumps(list(drop)))

    def _commit_originals(self, snapshot: Path) -> None:
        """Move a published snapshot's staged originals into place and delete its dropped ones; every
        step can be done again, so a kill half-way is finished by the next write or start (recover)."""
        dropped = snapshot / DROPPED
        if dropped.exists():
            for doc_id in json.loads(dropped.read_text()):
                shutil.rmtree(self.originals / doc_id, ignore_errors=True)
            dropped.unlink()
        staged = snapshot / STAGED
        if staged.is_dir():
            self.originals.mkdir(parents=True, exist_ok=True)
            for folder in sorted(staged.iterdir()):
                shutil.rmtree(self.originals / folder.name, ignore_errors=True)
                folder.rename(self.originals / folder.name)
            staged.rmdir()

    @contextlib.contextmanager
    def _writing(self):
        """The write lock, with what a killed writer left unfinished finished first."""
        with self.snapshots.lock():
            current = self.snapshots.current()
            if current is not None:
                self._commit_originals(current)
            yield

    def recover(self) -> None:
        """At start: finish a killed write's originals, then drop what no snapshot commits (unfinished
        builds, half-copied folders of earlier versions, originals of documents the index does not hold)."""
        with self._writing():
            self.snapshots.prune()
            current = self.snapshots.current()
            if current is None or not self.originals.is_dir():
                return
            try:
                with contextlib.closing(sqlite3.connect(f"file:{current / STORE}?mode=ro", uri=True)) as db:
                    indexed = {row[0] for row in db.execute("SELECT id FROM documents")}
            except sqlite3.Error:
                return          # an index this version cannot read is rebuilt from the originals: keep them all
            for folder in self.originals.iterdir():
                if folder.name not in indexed:
                    shutil.rmtree(folder) if folder.is_dir() else folder.unlink()

    def _stored_originals(self) -> list[tuple[Path, dict]]:
        out = []
        for folder in sorted(p for p in self.originals.glob("*") if p.is_dir() and not p.name.endswith(".tmp")):
            files = [f for f in folder.iterdir() if f.name != "metadata.json"]
            if files:
                # written by an older version, the metadata may say « kind » for « genre »
                out.append((files[0], current_names(json.loads((folder / "metadata.json").read_text()))))
        return out

    # -- operations ------------------------------------------------------------------------
    def add(self, items: list[tuple[Path, dict | None]], progress: Progress | None = None,
            report: Report = _quiet, keep_going: bool = False, checkpoints: Checkpoints = UNSTOPPABLE) -> list[Change]:
        """Add or update publications (one snapshot for all). Each file is read, cut, tagged and
        embedded before anything is written, so a bad file changes nothing: it stops everything, or
        with ``keep_going`` it is refused (a Change with its reason) and the others go in. Stopped at
        one of ``checkpoints`` (before the snapshot is written), it changes nothing either."""
        report("en attente de l'index")
        progress = progress or Progress()
        progress.update(documents=len(items))
        with self._writing():
            checkpoints.check()
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
                for path, meta, outcome in self.ingestor.run_many(readable, progress, verdict, checkpoints):
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
            checkpoints.commit()      # from here on, the job's outcome is what the write gives
            if not todo:
                return changes
            report("écriture d'un nouvel instantané de l'index")
            self._write([ingested for _, _, ingested in todo], keep=[(path, meta) for path, meta, _ in todo])
            return changes

    def add_ingested(self, items: list[IngestedDocument]) -> list[Change]:
        """Add documents already cut, tagged and embedded (bulk loads, benchmarks), in one snapshot."""
        with self._writing():
            self._write(items)
            return [Change(i.document.id, "added", len(i.passages)) for i in items]

    def remove(self, doc_id: str, checkpoints: Checkpoints = UNSTOPPABLE) -> Change:
        with self._writing():
            checkpoints.check()
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

            checkpoints.commit()
            self._build(change, drop=[doc_id])
            return Change(doc_id, "removed", len(removed))

    def correct(self, edit: Edit, checkpoints: Checkpoints = UNSTOPPABLE) -> int:
        """Record an editor's correction of tags (corrections.jsonl), then switch in a snapshot whose
        passages of that publication carry it; the vectors and text are unchanged. Returns the number
        of passages whose tags changed."""
        with self.snapshots.lock():
            checkpoints.check()
            current = self.snapshots.current()
            index = Index.load(current) if current else None
            doc = index.store.document(edit.doc_id) if index else None
            if doc is None:
                raise UnknownDocument(f"document inconnu : {edit.doc_id}")
            passages = index.store.passages(index.store.vids_of_document(edit.doc_id))
            index.close()
            if edit.passage_id and all(p.id != edit.passage_id for p in passages.values()):
                raise UnknownPassage(f"passage inconnu dans {edit.doc_id} : {edit.passage_id}")
            corrections = Corrections.load(self.data_dir)
            corrections.record(edit, doc.title, list(passages.values()))
            checkpoints.commit()      # the record saved is a change: the next start would apply it
            corrections.save()    # first: after a crash before the switch, the next start applies it
            return self._retag(corrections, passages)

    def apply_corrections(self) -> int:
        """Bring the current snapshot in line with the corrections file when it holds others (a crash
        between a correction's record and its snapshot, a file restored by hand)."""
        with self.snapshots.lock():
            current = self.snapshots.current()
            if current is None:
                return 0
            index = Index.load(current)
            corrections = Corrections.load(self.data_dir)
            if not corrections.records or index.config.get("corrections") == corrections.digest():
                index.close()
                return 0
            passages = {vid: p for doc_id in {r.doc_id for r in corrections.records}
                        for vid, p in index.store.passages(index.store.vids_of_document(doc_id)).items()}
            index.close()
            return self._retag(corrections, passages)

    def _retag(self, corrections: Corrections, passages: dict) -> int:
        """A new snapshot where ``passages`` (vid → passage, as stored) carry ``corrections``."""
        before = {vid: p.tags for vid, p in passages.items()}
        corrections.apply(list(passages.values()))
        changed = {vid: p for vid, p in passages.items() if p.tags != before[vid]}

        def change(store: Store, vectors: VectorIndex, sentences: SentenceVectors, lexical: Postings) -> None:
            store.retag(changed)

        self._build(change)
        return len(changed)

    def reindex(self, progress: Progress | None = None, report: Report = _quiet,
                checkpoints: Checkpoints = UNSTOPPABLE) -> list[Change]:
        """Rebuild from the stored originals with the configured model, into a fresh snapshot."""
        with self._writing():
            checkpoints.check()
            originals = self._stored_originals()
            progress = progress or Progress()
            progress.update(documents=len(originals))
            listen = lambda p: report(f"réindexation : {p.step}")     # noqa: E731
            progress.listeners.append(listen)
            try:
                ingested = []
                for path, _, outcome in self.ingestor.run_many(originals, progress, checkpoints=checkpoints):
                    if isinstance(outcome, CatalyseError):
                        raise outcome
                    ingested.append(outcome)
            finally:
                progress.listeners.remove(listen)
            checkpoints.commit()
            report("écriture d'un nouvel instantané de l'index")
            self._write(ingested, fresh=True)
            return [Change(i.document.id, "added", len(i.passages), warnings=i.document.warnings) for i in ingested]

    def ingest_folder(self, folder: Path, progress: Progress | None = None, keep_going: bool = False) -> list[Change]:
        return self.add([(p, None) for p in publications(folder)], progress=progress, keep_going=keep_going)
