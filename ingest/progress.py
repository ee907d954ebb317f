"""How far a long ingestion has gone, for whoever shows it: the command line's one bar, an
editor's job on the editor page, the service's start-up status."""
from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class Progress:
    documents: int = 0          # documents to process
    done: float = 0.0           # documents processed (fractional while a group of them is embedded)
    passages: int = 0           # passages cut, tagged and embedded so far
    step: str = ""              # what runs now, in French
    started: float = field(default_factory=time.monotonic)
    listeners: list[Callable[["Progress"], None]] = field(default_factory=list)

    def update(self, **changes) -> None:
        for name, value in changes.items():
            setattr(self, name, value)
        for listener in self.listeners:
            listener(self)

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    @property
    def passages_per_s(self) -> float:
        return self.passages / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def seconds_left(self) -> float | None:
        """At the pace so far (None until a document is done)."""
        return self.elapsed * (self.documents - self.done) / self.done if self.done > 0 else None

    def public(self) -> dict:
        left = self.seconds_left
        return {"documents": self.documents, "done": round(self.done, 2), "passages": self.passages,
                "step": self.step, "passages_per_s": round(self.passages_per_s, 1),
                "seconds_left": None if left is None else round(left)}
