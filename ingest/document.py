"""The types that leave the ingestion layer: a document, its sections and its passages."""
from __future__ import annotations

import bisect
import hashlib
from dataclasses import asdict, dataclass, field

# What locates a passage in its publication: a printed page (PDF), a slide (its page_starts are the
# slides'), a time in a video (transcripts), or only its section (Markdown, Word, HTML: no pages).
UNITS = ("page", "slide", "time", "")


@dataclass
class Heading:
    """A heading the file's own markup declares (a Word style, an <h2>, a slide title)."""

    start: int                   # offset of the heading's line in Document.text
    level: int                   # smaller is higher: a title 0, its headings 1, 2…
    title: str


@dataclass
class Cue:
    """A subtitle cue (or a run of cues of one speaker): where its text lies and when it is said."""

    start: int
    end: int
    time_start: float            # seconds from the start of the video
    time_end: float
    speaker: str | None = None


@dataclass
class Document:
    """A publication's whole text, with where each printed page (or slide) starts in it and, when
    the format declares them, its headings, lists and timed cues."""

    id: str                      # the file name without extension
    title: str
    text: str
    page_starts: list[int]       # page_starts[i] = offset of page (or slide) i + 1 in ``text``
    metadata: dict = field(default_factory=dict)
    source: str = ""             # file name of the original
    content_hash: str = ""       # readers.content_hash: sha256 of the original (a text format's normalised content)
    unit: str = "page"           # one of UNITS
    headings: list[Heading] | None = None   # None: the structure is recovered from the wording
    lists: list[tuple[int, int]] = field(default_factory=list)  # spans kept in one passage when they fit
    cues: list[Cue] = field(default_factory=list)
    ocr: list[float | None] = field(default_factory=list)       # per page: OCR confidence (0–1) if read by OCR
    warnings: list[str] = field(default_factory=list)           # what could not be read (a page, a slide)
    awaiting_ocr: int = 0        # scanned pages left unread (an upload's check reads without the OCR)

    def page_at(self, offset: int) -> int:
        """Printed page number holding character ``offset``."""
        return page_at(self.page_starts, offset)

    @property
    def pages(self) -> int:
        return len(self.page_starts)

    def times(self, start: int, end: int) -> tuple[float, float] | None:
        """When the text between two offsets is said: from its first cue's start to its last cue's end."""
        inside = [c for c in self.cues if c.end > start and c.start < end]
        return (inside[0].time_start, inside[-1].time_end) if inside else None

    def ocr_confidence(self, page_start: int, page_end: int) -> float | None:
        """The lowest OCR confidence of the pages a passage spans (None: no page of it was OCR'd)."""
        found = [c for c in self.ocr[page_start - 1:page_end] if c is not None]
        return min(found) if found else None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Document":
        data = dict(data)
        if data.get("headings") is not None:
            data["headings"] = [Heading(**h) for h in data["headings"]]
        data["lists"] = [tuple(span) for span in data.get("lists") or ()]
        data["cues"] = [Cue(**c) for c in data.get("cues") or ()]
        return cls(**data)


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
    unit: str = "page"           # its document's unit (UNITS): what ``location`` cites
    time_start: float | None = None       # transcripts: seconds from the start of the video
    time_end: float | None = None
    ocr_confidence: float | None = None   # read by OCR: the confidence of its least legible page
    link: str | None = None      # where it is read on the web: the video at its time, the page's canonical URL

    @property
    def slide(self) -> int | None:
        return self.page_start if self.unit == "slide" else None

    def location(self) -> str | None:
        """Where it is, in French: « p. 12–13 », « diapositive 7 », « à 12 min 40 s » (None: only its
        section says it)."""
        if self.unit == "page":
            return f"p. {self.page_start}" + (f"–{self.page_end}" if self.page_end != self.page_start else "")
        if self.unit == "slide":
            return f"diapositive {self.page_start}"
        if self.unit == "time" and self.time_start is not None:
            return f"à {spoken_time(self.time_start)}"
        return None

    def anchor(self) -> str | None:
        """The fragment that opens the original at the passage: ``page=12``, ``slide=7``, ``t=760``."""
        if self.unit == "time":
            return f"t={int(self.time_start)}" if self.time_start is not None else None
        return f"{self.unit}={self.page_start}" if self.unit in ("page", "slide") else None

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


def page_at(page_starts: list[int], offset: int) -> int:
    """The page (or slide) holding character ``offset`` of a text whose pages start at ``page_starts``."""
    return max(1, bisect.bisect_right(page_starts, offset))


def spoken_time(seconds: float) -> str:
    """« 12 min 40 s », « 1 h 02 min 05 s », « 45 s »."""
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    if h:
        return f"{h} h {m:02d} min {s:02d} s"
    return f"{m} min {s:02d} s" if m else f"{s} s"
