"""The text of a structured publication, built block by block with its outline: the readers of
Word, LibreOffice, slides, web pages and transcripts all write through it, so offsets always hold."""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..document import Cue, Heading

SPACES = re.compile(r"[ \t\u00a0\u2009\u202f]+")


def clean(text: str) -> str:
    """One line: runs of spaces (non-breaking ones too) as one space."""
    return SPACES.sub(" ", text.replace("\n", " ")).strip()


@dataclass
class Draft:
    """What a reader found: the text and its outline, plus the file's own properties (title,
    author, date, canonical URL) that fill the metadata a metadata file does not give."""

    text: str
    page_starts: list[int]
    unit: str
    headings: list[Heading] | None = None
    lists: list[tuple[int, int]] = field(default_factory=list)
    cues: list[Cue] = field(default_factory=list)
    ocr: list[float | None] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    properties: dict = field(default_factory=dict)
    awaiting_ocr: list[int] = field(default_factory=list)   # scanned pages left for the OCR (an upload's check)


class TextBuilder:
    """Blocks separated by a blank line; list items one per line, each kept with the others."""

    def __init__(self):
        self._parts: list[str] = []
        self._length = 0
        self._last_block: tuple[int, str] | None = None     # (start, text) of the block before
        self.headings: list[Heading] = []
        self.page_starts: list[int] = []
        self.lists: list[tuple[int, int]] = []
        self.cues: list[Cue] = []

    def _block(self, text: str) -> int:
        if self._parts:
            self._parts.append("\n\n")
            self._length += 2
        start = self._length
        self._parts.append(text)
        self._length += len(text)
        self._last_block = (start, text)
        return start

    def page(self) -> None:
        """A new page or slide starts here."""
        self.page_starts.append(self._length + (2 if self._parts else 0))

    def heading(self, title: str, level: int) -> None:
        title = clean(title)
        if title:
            self.headings.append(Heading(self._block(title), level, title))

    def paragraph(self, text: str) -> None:
        text = clean(text)
        if text:
            self._block(text)

    def items(self, items: list[str], marker: str = "- ") -> None:
        """A list (or a table's rows): kept in one passage with the line that introduces it
        (the paragraph before, when it ends with a colon) as long as they fit."""
        lines = [marker + clean(i) for i in items if clean(i)]
        if not lines:
            return
        before = self._last_block
        start = self._block("\n".join(lines))
        if before and before[1].endswith(":") and not any(h.start == before[0] for h in self.headings):
            start = before[0]
        self.lists.append((start, self._length))

    def cue(self, text: str, time_start: float, time_end: float, speaker: str | None) -> None:
        """Subtitles: a cue continues its speaker's paragraph; a new speaker opens a new one."""
        text = clean(text)
        if not text:
            return
        last = self.cues[-1] if self.cues else None
        if last and last.speaker == speaker:
            self._parts.append(" ")
            self._length += 1
            start = self._length
            self._parts.append(text)
            self._length += len(text)
        else:
            start = self._block(text)
        self.cues.append(Cue(start, self._length, time_start, time_end, speaker))

    @property
    def text(self) -> str:
        return "".join(self._parts)

    def draft(self, unit: str, properties: dict | None = None, warnings: list[str] | None = None) -> Draft:
        text = self.text
        return Draft(text=text + "\n", page_starts=self.page_starts or [0], unit=unit, headings=self.headings,
                     lists=self.lists, cues=self.cues, warnings=list(warnings or []),
                     properties={k: v for k, v in (properties or {}).items() if v})
