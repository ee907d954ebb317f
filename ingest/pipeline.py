"""Publication files in, their documents, tagged passages and vectors out.

Files are read in one bounded child process, cut into passages one by one, and embedded in groups
across documents (``EMBED_GROUP`` texts per call), so a folder of many small files runs at the
model's throughput rather than at one model call per file."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from .bounded import BoundedReader
from .checkpoints import UNSTOPPABLE, Checkpoints
from .chunker import Chunker
from .document import Document, Passage
from .embedder import Embedder
from .errors import CatalyseError, UnreadableDocument
from .nlp import detect_language
from .progress import Progress
from .sentences import sentence_units
from .structure import segments_of
from .tagger import Tagger, apply_editor_tags

# Texts (passages and their sentences) embedded per model call across documents: enough for the
# batches of 32 to be full and sorted by length as within one large document, small enough to keep
# memory flat and the bar moving. bench/ingest_many.py: 500 files at 0.92 of the throughput of the same
# text as one document (runs 0.904 and 0.931).
EMBED_GROUP = 1024


@dataclass
class IngestedDocument:
    document: Document
    passages: list[Passage]
    vectors: np.ndarray          # one normalised row per passage, embedded with its context header
    headers: list[str]           # each passage's context header (embedded before its text)
    sentence_vectors: np.ndarray  # one row per sentence of a passage that has several
    sentence_passages: np.ndarray  # the passage (its position in ``passages``) of each sentence vector


@dataclass
class CutDocument:
    """A document cut into passages, waiting for its vectors."""

    document: Document
    passages: list[Passage]
    headers: list[str]
    texts: list[str]             # what the model embeds for it (``embedding_texts``)
    owners: np.ndarray


def embedding_texts(passages: list[Passage], headers: list[str]) -> tuple[list[str], np.ndarray]:
    """What the model embeds for a document: each passage under its context header, then the
    sentences of every passage that has several, bare (the passage vector carries the context; a
    header on each sentence made every short sentence of a section look alike: dev nDCG@10 0.886
    with headers, 0.892 without; PIAF 0.871, 0.875). Also returns each sentence's passage position.
    A passage of one unit has no sentence row: its own vector stands for its sentence."""
    texts = [f"{h}\n{p.text}" for h, p in zip(headers, passages)]
    owners: list[int] = []
    for i, passage in enumerate(passages):
        units = sentence_units(passage.text)
        if len(units) > 1:
            texts += units
            owners += [i] * len(units)
    return texts, np.asarray(owners, np.int64)


def web_link(doc: Document, time_start: float | None) -> str | None:
    """Where a passage is read on the web rather than in the stored original: the video at the
    passage's time (metadata ``video_url``), a web page at its canonical URL."""
    meta = doc.metadata
    if doc.unit == "time" and meta.get("video_url") and time_start is not None:
        return f"{meta['video_url'].split('#')[0]}#t={int(time_start)}"
    if meta.get("format") == "html" and meta.get("source_url"):
        return meta["source_url"]
    return None


Item = tuple[Path, "dict | None"]
# Called on each document once read, before the model's work: anything but None is reported
# instead of ingesting it (an unchanged publication, a duplicate).
Verdict = Callable[[Document], object]


class Ingestor:
    def __init__(self, embedder: Embedder, tagger: Tagger | None = None, chunker: Chunker | None = None):
        self.embedder = embedder
        self.tagger = tagger or Tagger(embedder)
        self.chunker = chunker or Chunker()

    def cut(self, doc: Document) -> CutDocument:
        passages = []
        for chunk in self.chunker.chunks(doc, segments_of(doc)):
            text = doc.text[chunk.start:chunk.end]
            seg = chunk.segment
            page_start, page_end = doc.page_at(chunk.start), doc.page_at(max(chunk.start, chunk.end - 1))
            time_start, time_end = doc.times(chunk.start, chunk.end) or (None, None)
            passages.append(Passage(
                id=Passage.make_id(doc.id, chunk.start, text), doc_id=doc.id, text=text,
                start=chunk.start, end=chunk.end, page_start=page_start, page_end=page_end, section=seg.section,
                section_kind=seg.section_kind, speaker=seg.speaker.name if seg.speaker else None,
                role=seg.speaker.role if seg.speaker else None,
                organisation=seg.speaker.organisation if seg.speaker else None,
                language=detect_language(text), entities=chunk.entities, unit=doc.unit,
                time_start=time_start, time_end=time_end, ocr_confidence=doc.ocr_confidence(page_start, page_end),
                link=web_link(doc, time_start)))
        if not passages:        # it could never be found: refused rather than « added (0 passages) »
            raise UnreadableDocument(f"{doc.source} : texte trop court pour être indexé (aucun passage d'au moins "
                                     f"{self.chunker.keep_words} mots)", "too_short")
        headers = [p.context_header(doc.title) for p in passages]
        texts, owners = embedding_texts(passages, headers)
        return CutDocument(doc, passages, headers, texts, owners)

    def finish(self, cut: CutDocument, embedded: np.ndarray) -> IngestedDocument:
        """Tag the passages with their vectors."""
        n = len(cut.passages)
        vectors = embedded[:n]
        editor_tags = (cut.document.metadata or {}).get("tags")
        units = embedded[n:]
        for i, (passage, vector) in enumerate(zip(cut.passages, vectors)):
            tags = self.tagger.tag(passage.text, vector, passage.section_kind, units[cut.owners == i])
            passage.tags = apply_editor_tags(tags, editor_tags)
        return IngestedDocument(cut.document, cut.passages, vectors, cut.headers, embedded[n:], cut.owners)

    def run(self, path: Path, metadata: dict | None = None) -> IngestedDocument:
        """One publication, read in a bounded child process; a bad file raises its clear error."""
        [(_, _, outcome)] = self.run_many([(Path(path), metadata)])
        if isinstance(outcome, CatalyseError):
            raise outcome
        return outcome

    def run_many(self, items: Iterable[Item], progress: Progress | None = None,
                 verdict: Verdict | None = None,
                 checkpoints: Checkpoints = UNSTOPPABLE) -> Iterator[tuple[Path, dict | None, object]]:
        """Each item's outcome, in order of completion: its IngestedDocument, the error that
        refused it (a CatalyseError, yielded, not raised) or what ``verdict`` said of it.
        ``checkpoints.check()`` runs before each document's reading, cutting and embedding."""
        progress = progress or Progress()
        group: list[tuple[Path, dict | None, CutDocument]] = []
        with BoundedReader() as reader:
            for path, meta in items:
                path = Path(path)
                checkpoints.check()
                progress.update(step=f"lecture de {path.name}")

                def on_page(done: int, total: int, name=path.name) -> None:
                    progress.update(step=f"OCR de {name} : page {done + 1 if done < total else total}/{total}")

                try:
                    doc = reader.read(path, meta, on_page)
                    said = verdict(doc) if verdict else None
                    if said is None:
                        checkpoints.check()
                        progress.update(step=f"découpage de {path.name}")
                        cut = self.cut(doc)
                except CatalyseError as exc:
                    said = exc
                if said is not None:
                    progress.update(done=progress.done + 1)
                    yield path, meta, said
                    continue
                group.append((path, meta, cut))
                if sum(len(c.texts) for _, _, c in group) >= EMBED_GROUP:
                    yield from self._embed(group, progress, checkpoints)
                    group = []
            yield from self._embed(group, progress, checkpoints)

    def _embed(self, group: list[tuple[Path, dict | None, CutDocument]], progress: Progress,
               checkpoints: Checkpoints) -> Iterator[tuple[Path, dict | None, IngestedDocument]]:
        if not group:
            return
        checkpoints.check()
        texts = [t for _, _, cut in group for t in cut.texts]
        before = progress.done

        def embedded_so_far(n: int) -> None:
            # called on this thread between two of the model's slices (Embedder._encode_reporting): a stop
            # here leaves the model between calls and caches nothing of the group
            progress.update(done=before + len(group) * n / max(1, len(texts)))
            checkpoints.check()

        progress.update(step=f"vectorisation de {len(texts)} textes ({len(group)} documents)")
        embedded = self.embedder.passages(texts, on_batch=embedded_so_far)
        offset = 0
        for path, meta, cut in group:
            ingested = self.finish(cut, embedded[offset:offset + len(cut.texts)])
            offset += len(cut.texts)
            progress.update(passages=progress.passages + len(ingested.passages))
            yield path, meta, ingested
        progress.update(done=before + len(group))
