"""Stopping a long write cooperatively (an editor cancels a running job). The write asks, on its own
thread and only where stopping leaves nothing behind, whether to go on: ``check`` before each document is
read, cut or embedded and between embedding slices; ``commit`` once, just before the new snapshot is
written — past it the write goes to its end. Nothing is interrupted half-way: not the reading's child
process, not the model, not the snapshot switch."""
from __future__ import annotations


class Checkpoints:
    """Never stops: what the command line's writes and the service's start-up use."""

    def check(self) -> None:
        """Raise here to stop: nothing is written yet."""

    def commit(self) -> None:
        """The last chance to stop; once it has returned, the write goes to its end."""


UNSTOPPABLE = Checkpoints()
