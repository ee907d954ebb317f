"""Snapshots under a data directory: each build goes into a new folder, and the CURRENT
pointer file is replaced atomically once the folder is complete. A crash at any point
leaves CURRENT naming a complete snapshot."""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import time
import uuid
from pathlib import Path

BUILD_PREFIX = ".build-"


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Snapshots:
    def __init__(self, data_dir: Path, keep: int = 2):
        self.data_dir = Path(data_dir)
        self.root = self.data_dir / "snapshots"
        self.pointer = self.data_dir / "CURRENT"
        self.keep = keep

    def current(self) -> Path | None:
        try:
            name = self.pointer.read_text().strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if name and path.is_dir() else None

    @contextlib.contextmanager
    def lock(self):
        """One writer at a time, across processes."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        with open(self.data_dir / ".write.lock", "w") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def prepare(self) -> Path:
        path = self.root / f"{BUILD_PREFIX}{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        return path

    def publish(self, build: Path) -> Path:
        """Give a complete build its final name, then switch CURRENT to it."""
        for f in sorted(build.rglob("*"), reverse=True):     # files before the folders that hold them
            if f.is_dir():
                _fsync_dir(f)
            else:
                with open(f, "rb") as handle:
                    os.fsync(handle.fileno())
        final = self.root / f"{self._next_number():06d}-{time.strftime('%Y%m%dT%H%M%S')}"
        build.rename(final)
        _fsync_dir(self.root)
        self.switch(final.name)
        self.prune()
        return final

    def _next_number(self) -> int:
        """Snapshots are numbered so that name order is build order."""
        numbers = [int(p.name.split("-")[0]) for p in self.root.iterdir() if p.name[:6].isdigit()]
        return max(numbers, default=0) + 1

    def switch(self, name: str) -> None:
        tmp = self.pointer.with_name("CURRENT.tmp")
        with open(tmp, "w") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, self.pointer)
        _fsync_dir(self.data_dir)

    def prune(self) -> None:
        """Drop unfinished builds and all but the newest ``keep`` snapshots (never CURRENT)."""
        if not self.root.is_dir():          # a data directory nothing was written to yet
            return
        current = self.current()
        done = sorted((p for p in self.root.iterdir() if not p.name.startswith(BUILD_PREFIX)), reverse=True)
        for path in done[self.keep:]:
            if path != current:
                shutil.rmtree(path, ignore_errors=True)
        for path in self.root.glob(BUILD_PREFIX + "*"):
            shutil.rmtree(path, ignore_errors=True)
