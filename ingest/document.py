"""The types that leave the ingestion layer: a document, its sections and its passages."""
from __future__ import annotations

import bisect
import hashlib
from dataclasses import asdict, dataclass, field


@dataclass
class Document:
    """A publication's whole text, with where each printed page starts in it."""

    id: str                      # the file name without extension
    title: str
    text: str
    page_starts: list[int]       # page_starts[i] = offset of page i + 1 in ``text``
    metadata: dict = field(default_factory=dict)
    source: str = ""             # file name of the original
    content_hash: str = ""       # sha256 of the original bytes

    def page_at(self, offset: int) -> int:
        """Printed page number holding character ``offset``."""
        return max(1, bisect.bisect_right(self.page_starts, offset))

    @property
    def pages(self) -> int:
        return len(self.page_starts)


@dataclass(frozen=True)
class Speaker:
    name: str
    role: str | None = None
    organisation: str | None = None


@dataclass
class Segment:
    """A stretch of text with one section path and one speaker: passages never cross it."""

    start: int
    end: int
    section: tuple[str, ...]
    section_kind: str = "text"   # what the editors' wording makes it: temoignage, eclairage, outillage, synthese, qa…
    speaker: Speaker | None = None


@dataclass
class Label:
    """One tag on a passage: identifier, French label, score and what supports it."""

    id: str | int
    label: str
    score: float
    evidence: list[str] = field(default_factory=list)


@dataclass
class Tags:
    levers: list[Label] = field(default_factory=list)
    sdg: list[Label] = field(default_factory=list)
    trades: list[Label] = field(default_factory=list)
    entry_point: Label | None = None


@dataclass
class Passage:
    id: str                      # stable public identity, make_id (id, vid and row: ingest/glossary.py)
    doc_id: str
    text: str
    start: int                   # offsets into Document.text
    end: int
    page_start: int
    page_end: int
    section: tuple[str, ...] = ()
    section_kind: str = "text"   # its segment's (Segment.section_kind)
    speaker: str | None = None
    role: str | None = None
    organisation: str | None = None
    language: str = "fr"
    entities: dict[str, list[str]] = field(default_factory=dict)
    tags: Tags = field(default_factory=Tags)

    @staticmethod
    def make_id(doc_id: str, start: int, text: str) -> str:
        """Stable across re-ingestion of the same publication."""
        digest = hashlib.sha1(f"{doc_id}\x00{start}\x00{text}".encode()).hexdigest()[:12]
        return f"{doc_id}:{digest}"

    def context_header(self, doc_title: str) -> str:
        """The short context embedded with the text, so "who said what" questions work: the
        title (before any " — " subtitle), the innermost section, the speaker. Longer headers
        (the whole section path) measured worse on the development questions."""
        parts = [doc_title.split(" — ")[0], self.section[-1] if self.section else ""]
        if self.speaker:
            parts.append(", ".join(p for p in (self.speaker, self.organisation) if p))
        return " — ".join(p for p in parts if p)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Passage":
        data = dict(data)
        if "kind" in data:      # written before the field was named section_kind
            data["section_kind"] = data.pop("kind")
        tags = data.pop("tags", None) or {}
        entry = tags.get("entry_point")
        data["section"] = tuple(data.get("section") or ())
        data["tags"] = Tags(levers=[Label(**x) for x in tags.get("levers", [])],
                            sdg=[Label(**x) for x in tags.get("sdg", [])],
                            trades=[Label(**x) for x in tags.get("trades", [])],
                            entry_point=Label(**entry) if entry else None)
        return cls(**data)
