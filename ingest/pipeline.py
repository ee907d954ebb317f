"""One publication file in, its document, tagged passages and their vectors out."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

from .chunker import Chunker
from .document import Document, Passage
from .embedder import Embedder
from .nlp import detect_language
from .bounded import read_bounded
from .structure import segments_of
from .tagger import Tagger, apply_editor_tags


@dataclass
class IngestedDocument:
    document: Document
    passages: list[Passage]
    vectors: np.ndarray          # one normalised row per passage, embedded with its context header
    headers: list[str]           # each passage's context header (embedded before its text)


class Ingestor:
    def __init__(self, embedder: Embedder, tagger: Tagger | None = None, chunker: Chunker | None = None,
                 reader=read_bounded):
        self.embedder = embedder
        self.tagger = tagger or Tagger(embedder)
        self.chunker = chunker or Chunker()
        self.reader = reader  # files are read in a bounded child process by default

    def run(self, path: Path, metadata: dict | None = None, progress: bool = False) -> IngestedDocument:
        doc = self.reader(Path(path), metadata)
        passages = []
        for chunk in self.chunker.chunks(doc, segments_of(doc)):
            text = doc.text[chunk.start:chunk.end]
            seg = chunk.segment
            passages.append(Passage(
                id=Passage.make_id(doc.id, chunk.start, text), doc_id=doc.id, text=text,
                start=chunk.start, end=chunk.end, page_start=doc.page_at(chunk.start),
                page_end=doc.page_at(max(chunk.start, chunk.end - 1)), section=seg.section, kind=seg.kind,
                speaker=seg.speaker.name if seg.speaker else None,
                role=seg.speaker.role if seg.speaker else None,
                organisation=seg.speaker.organisation if seg.speaker else None,
                language=detect_language(text), entities=chunk.entities))
        headers = [p.context_header(doc.title) for p in passages]
        vectors = self.embedder.passages([f"{h}\n{p.text}" for h, p in zip(headers, passages)], progress)
        editor_tags = (doc.metadata or {}).get("tags")
        for passage, vector in zip(passages, vectors):
            tags = self.tagger.tag(passage.text, vector, passage.kind)
            passage.tags = apply_editor_tags(tags, editor_tags)
        return IngestedDocument(doc, passages, vectors, headers)
