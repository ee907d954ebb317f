"""Editors' jobs and their records on disk (``DATA_DIR/jobs/<id>.json``), so that a job a crash or a
restart interrupted says so afterwards instead of being unknown."""
from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path

from ingest.checkpoints import Checkpoints
from ingest.errors import CatalyseError
from ingest.progress import Progress

from .logs import request_id

KEPT_RECORDS = 500          # the newest jobs kept on disk (about 0.5 KB each)
INTERRUPTED = ("tâche interrompue par un arrêt du service : l'index est resté tel qu'avant ou tel qu'après "
               "elle ; vérifiez la liste des publications et relancez-la si besoin")
# a cancellation and a job's last checkpoint (``Job.commit``) happen one after the other, never interleaved:
# either the job stops there or the request is told it is too late
_CANCELLING = threading.Lock()


@dataclass
class Job(Checkpoints):
    """An editor's edit, run in the background; its write stops at its checkpoints (ingest/checkpoints.py)
    once a cancellation is asked for, on the job's own thread, up to the snapshot write."""
    id: str
    action: str                       # ajout, retrait, réindexation, correction
    status: str = "en attente"        # en attente, en cours, terminé, échec, annulé
    message: str = ""
    doc_id: str | None = None
    error_code: str | None = None
    created: float = field(default_factory=time.time)
    started: float | None = None
    finished: float | None = None
    progress: dict | None = None      # Progress.public(): documents, passages, step, speed, time left
    cancel_requested: bool = False
    writing: bool = False             # past its last checkpoint: the new snapshot is being written, too late to cancel
    request_id: str | None = field(default_factory=request_id.get)    # the request that made it (its log line)

    @property
    def done(self) -> bool:
        return self.status in ("terminé", "échec", "annulé")

    def follow(self) -> Progress:
        """A Progress whose every update shows in this job (the editor page polls it). It never stops
        the job: that is the checkpoints' work, at points chosen for it."""
        def listen(progress: Progress) -> None:
            self.progress = progress.public()
        return Progress(listeners=[listen])

    def cancel(self) -> None:
        """Ask the job to stop at its next checkpoint (at once if it waits); too late once it writes."""
        with _CANCELLING:
            if self.writing:
                raise JobRunning("trop tard pour annuler : la tâche écrit déjà le nouvel index ; "
                                 "retirez ensuite ce qu'elle a ajouté")
            self.cancel_requested = True

    def check(self) -> None:
        if self.cancel_requested:
            raise JobCancelled()

    def commit(self) -> None:
        with _CANCELLING:
            self.check()
            self.writing = True

    def public(self) -> dict:
        return asdict(self)


class JobRunning(CatalyseError):
    """An edit already writing its snapshot goes to its end; then what it added can be removed."""
    code = "job_running"


class JobCancelled(Exception):
    """Raised at a checkpoint of a job whose cancellation was asked for: nothing was written."""


class JobRecords:
    def __init__(self, data_dir: Path):
        self.folder = Path(data_dir) / "jobs"
        self._lock = threading.Lock()     # the worker and a cancelling request save the same job

    def save(self, job: Job) -> None:
        """Written whole, then renamed over the old record: a kill leaves the old record or the new one."""
        with self._lock:
            self.folder.mkdir(parents=True, exist_ok=True)
            path = self.folder / f"{job.id}.json"
            tmp = path.with_suffix(".tmp")
            tmp.write_text(json.dumps(job.public(), ensure_ascii=False))
            os.replace(tmp, path)

    def load(self) -> dict[str, Job]:
        """The stored jobs; those a stop caught before their end are marked interrupted (and saved so)."""
        if not self.folder.is_dir():
            return {}
        names = {f.name for f in fields(Job)}
        jobs = {}
        for path in sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime):
            try:
                job = Job(**{k: v for k, v in json.loads(path.read_text()).items() if k in names})
            except (ValueError, TypeError):
                path.unlink()          # a record this version cannot read
                continue
            if not job.done:
                job.status, job.error_code, job.message = "échec", "interrupted", INTERRUPTED
                job.finished, job.progress = time.time(), None
                self.save(job)
            jobs[job.id] = job
        for tmp in self.folder.glob("*.tmp"):
            tmp.unlink()
        for job in sorted(jobs.values(), key=lambda j: j.created)[:-KEPT_RECORDS]:
            (self.folder / f"{job.id}.json").unlink()
            del jobs[job.id]
        return jobs
