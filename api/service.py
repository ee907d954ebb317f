"""The running service: readiness, the current snapshot (switched in without restart after each
edit) and the editors' jobs, run one at a time in a background thread."""
from __future__ import annotations


import logging
import os
import queue
import shutil
import threading
import time
import uuid
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from index import seed
from index.indexer import publications
from index.snapshots import Snapshots
from ingest.corrections import Edit
from ingest.errors import CatalyseError
from ingest.settings import Settings
from search.answer import Stages
from search.searcher import Searcher

from .context import Context
from .jobs import Job, JobCancelled, JobRecords
from .logs import LOG_ENVIRONMENT, event
from .metrics import Metrics
from .questions import FILE as QUESTIONS_FILE, QuestionLog

log = logging.getLogger("catalyse")
job_log = logging.getLogger("catalyse.jobs")
UPLOAD_PREFIX = "upload-"       # an upload's temporary folder in the data directory, until its job ends

SERVICE_ENVIRONMENT = {
    "CATALYSE_EDITOR_TOKEN": "bearer token of the editor endpoints and page; unset = editing off",
    "CATALYSE_CORS_ORIGINS": "comma-separated origins allowed to call the API (the widget's host sites)",
    "CATALYSE_MAX_UPLOAD_MB": "largest accepted upload, in MB (default 50)",
    "CATALYSE_SEARCH_RATE": "searches per second per client, with bursts of 10 times that (default 30; 0 = no limit)",
    "CATALYSE_EDITOR_RATE": "editor requests per second per client, bursts of 10 times that (default 1; 0 = no limit)",
    "CATALYSE_QUESTION_LOG": "keep the question log of the editor page (default on; off, 0 or no: nothing recorded)",
    "CATALYSE_QUESTION_LOG_DAYS": "days a logged question is kept before it is deleted (default 90)",
    **LOG_ENVIRONMENT,
    "CATALYSE_TRUSTED_PROXIES": "comma-separated addresses of reverse proxies whose X-Forwarded-For is believed "
                                "(default none: the client is the connection's address)",
}


@dataclass
class ServiceConfig:
    editor_token: str | None = field(default_factory=lambda: os.environ.get("CATALYSE_EDITOR_TOKEN") or None)
    cors_origins: list[str] = field(default_factory=lambda: [
        o.strip() for o in os.environ.get("CATALYSE_CORS_ORIGINS", "").split(",") if o.strip()])
    max_upload_mb: float = field(default_factory=lambda: float(os.environ.get("CATALYSE_MAX_UPLOAD_MB", "50")))
    search_rate: float = field(default_factory=lambda: float(os.environ.get("CATALYSE_SEARCH_RATE", "30")))
    editor_rate: float = field(default_factory=lambda: float(os.environ.get("CATALYSE_EDITOR_RATE", "1")))
    question_log: bool = field(default_factory=lambda: os.environ.get("CATALYSE_QUESTION_LOG", "on").strip().lower()
                               not in ("off", "0", "no", "false"))
    question_log_days: int = field(default_factory=lambda: int(os.environ.get("CATALYSE_QUESTION_LOG_DAYS", "90")))
    trusted_proxies: list[str] = field(default_factory=lambda: [
        p.strip() for p in os.environ.get("CATALYSE_TRUSTED_PROXIES", "").split(",") if p.strip()])

    def server_options(self) -> dict:
        """uvicorn's options for forwarded headers: believed from the configured proxies only (uvicorn's
        default believes any loopback client, which let a local client pick its rate-limit identity)."""
        return {"proxy_headers": bool(self.trusted_proxies), "forwarded_allow_ips": self.trusted_proxies or None}


class Service:
    def __init__(self, context: Context | None = None, config: ServiceConfig | None = None):
        self.context = context or Context()
        self.settings: Settings = self.context.settings
        self.config = config or ServiceConfig()
        self.snapshots = Snapshots(self.settings.data_dir)
        self.ready = threading.Event()
        self.status = "démarrage"
        self.failure: str | None = None
        self._searcher: Searcher | None = None
        self._loaded: str | None = None
        self._swap = threading.Lock()
        self.records = JobRecords(self.settings.data_dir)
        self.jobs: dict[str, Job] = {}
        self._ending = threading.Lock()     # a job's end and a cancellation's record are written one at a time
        self._queue: queue.Queue = queue.Queue()
        self.metrics = Metrics()
        self.metrics.watch_index(self.index_stats)
        self.questions = QuestionLog(self.settings.data_dir / QUESTIONS_FILE if self.config.question_log else None,
                                     self.config.question_log_days)

    def recover(self) -> None:
        """What a stop left: job records (an unfinished one now says it was interrupted) and upload
        temporaries (``upload-*``, whose jobs cannot run any more)."""
        self.jobs = self.records.load()
        for folder in self.settings.data_dir.glob(UPLOAD_PREFIX + "*"):
            shutil.rmtree(folder, ignore_errors=True)

    # -- start-up ---------------------------------------------------------------------
    def start(self, background: bool = True) -> None:
        self.recover()
        threading.Thread(target=self._work, name="catalyse-editor", daemon=True).start()
        if background:
            threading.Thread(target=self._prepare, name="catalyse-start", daemon=True).start()
        else:
            self._prepare()

    def _prepare(self) -> None:
        try:
            self.status = "chargement du modèle"
            self.context.embedder.queries(["échauffement"])  # load and warm the model
            self.context.indexer.recover()                   # what a killed write left unfinished
            if self.snapshots.current() is None and seed.install_seed(
                    self.settings.data_dir, self.settings.corpus_dir, self.context.embedder.identity):
                log.warning("index of the bundled corpus installed from %s", seed.SEED)
            if self.snapshots.current() is None:
                files = publications(self.settings.corpus_dir)
                self.status = f"première indexation du corpus ({len(files)} publications)"
                log.warning("building the index from %s", self.settings.corpus_dir)
                changes = self.context.indexer.add([(f, None) for f in files], keep_going=True,
                                                   report=lambda m: setattr(self, "status", m))
                for change in changes:
                    if change.status == "refused":
                        log.warning("corpus file refused: %s (%s)", change.message, change.reason)
            try:
                if self.context.indexer.apply_corrections():
                    log.warning("editors' corrections applied to %s", self.settings.data_dir)
                self.reload()
            except CatalyseError as exc:
                if exc.code != "old_index":
                    raise
                # an index written by an earlier version: rebuilt from the stored originals
                log.warning("index format changed: reindexing %s", self.settings.data_dir)
                self.context.indexer.reindex(report=lambda m: setattr(self, "status", m))
                self.reload()
            self.status = "prêt"
            self.ready.set()
        except Exception as exc:  # the service keeps answering /health with the reason
            log.exception("start-up failed")
            self.failure = self.status = f"échec du démarrage : {exc}"

    # -- the current snapshot -------------------------------------------------------------
    def reload(self) -> Searcher:
        with self._swap:
            current = self.snapshots.current()
            if current is None:
                raise CatalyseError("aucun index", "no_index")
            if self._searcher is None or current.name != self._loaded:
                searcher = self.context.searcher().warm()   # before the swap: searches go on meanwhile
                self._searcher, self._loaded = searcher, searcher.index.path.name
            return self._searcher

    def searcher(self) -> Searcher:
        """The searcher of the current snapshot; a snapshot switched by another process
        (the CLI) is picked up at the next request."""
        current = self.snapshots.current()
        if self._searcher is None or (current is not None and current.name != self._loaded):
            if self._searcher is not None and self._swap.locked():
                return self._searcher     # the new snapshot is warming up: the current one answers
            return self.reload()
        return self._searcher

    def index_stats(self) -> dict | None:
        """The loaded snapshot's counts and size on disk (None before the index is ready)."""
        if not self.ready.is_set():
            return None
        index = self.searcher().index
        try:
            size = sum(f.stat().st_size for f in index.path.iterdir() if f.is_file())
        except FileNotFoundError:       # pruned while scraped (a newer snapshot is loading): no size this time
            return index.stats()
        return {**index.stats(), "bytes": size}

    def searched(self, payload: dict, stages: Stages | None, filtered: bool, refining: bool) -> None:
        """A search was answered (``stages`` None: from the answer cache): the metrics, and the
        question log for a question asked anew, without filters."""
        self.metrics.answered(stages, stages is not None, payload["total"])
        if not filtered and not refining:
            self.questions.record(payload["query"], payload["total"] > 0)

    # -- editors' jobs -------------------------------------------------------------------------
    def submit(self, action: str, run: Callable[[Job], None], doc_id: str | None = None,
               cleanup: Callable[[], None] | None = None) -> Job:
        """Queue ``run``; ``cleanup`` runs when the job ends, whether it ran, failed or was cancelled."""
        job = Job(id=uuid.uuid4().hex[:12], action=action, doc_id=doc_id)
        self.jobs[job.id] = job
        self.records.save(job)
        self._queue.put((job, run, cleanup))
        return job

    def cancel(self, job: Job) -> Job:
        """A waiting job will not run; a running one stops at its next checkpoint, with nothing changed;
        one already writing its snapshot cannot be stopped (``JobRunning``)."""
        with self._ending:        # a job ending meanwhile keeps its end, on disk too
            if not job.done:
                job.cancel()
                self.records.save(job)
        return job

    def _work(self) -> None:
        while True:
            job, run, cleanup = self._queue.get()
            job.status, job.started = "en cours", time.time()
            try:
                job.check()
                self.records.save(job)
                run(job)
                self.reload()
                end = {"status": "terminé", "message": job.message or "terminé"}
            except JobCancelled:
                end = {"status": "annulé", "message": "annulée : rien n'a été modifié", "error_code": "cancelled"}
            except CatalyseError as exc:
                end = {"status": "échec", "message": str(exc), "error_code": exc.code}
            except Exception as exc:  # a bug must not kill the worker
                log.exception("job %s failed", job.id)
                end = {"status": "échec", "message": f"erreur interne : {type(exc).__name__}", "error_code": "internal"}
            if cleanup:
                cleanup()
            # the end is on disk, its temporaries gone, before anyone can see it: a client told « annulé »
            # finds the record saying so
            with self._ending:
                ended = replace(job, finished=time.time(), **end)
                self.records.save(ended)
                for name, value in vars(ended).items():
                    setattr(job, name, value)
            self._done(job)

    def _done(self, job: Job) -> None:
        """A finished job's metrics and log line."""
        seconds = job.finished - (job.started or job.finished)
        self.metrics.job_done(job.action, job.error_code or "ok", seconds)
        event(job_log, logging.INFO if job.status == "terminé" else logging.WARNING,
              {"event": "job", "job": job.id, "action": job.action, "status": job.status, "doc_id": job.doc_id,
               "error": job.error_code, "duration_s": round(seconds, 2), "request_id": job.request_id,
               "waited_s": round((job.started or job.created) - job.created, 2)})

    def add_upload(self, path: Path, metadata: dict) -> Job:
        def run(job: Job) -> None:
            [change] = self.context.indexer.add([(path, metadata)], progress=job.follow(),
                                                report=lambda m: setattr(job, "message", m), checkpoints=job)
            job.message = {"added": "ajouté", "updated": "mis à jour", "unchanged": "déjà indexé, inchangé"}.get(
                change.status, change.status) + f" ({change.passages} passages)" + "".join(
                f" ; {warning}" for warning in change.warnings)
        return self.submit("ajout", run, doc_id=path.stem,
                           cleanup=lambda: shutil.rmtree(path.parent, ignore_errors=True))

    def remove(self, doc_id: str) -> Job:
        def run(job: Job) -> None:
            change = self.context.indexer.remove(doc_id, checkpoints=job)
            job.message = f"retiré ({change.passages} passages)"
        return self.submit("retrait", run, doc_id=doc_id)

    def correct(self, edit: Edit) -> Job:
        """An editor's correction of tags: recorded, then switched into the live index."""
        def run(job: Job) -> None:
            changed = self.context.indexer.correct(edit, checkpoints=job)
            job.message = f"correction enregistrée ({changed} passage{'s' if changed > 1 else ''} " \
                          f"modifié{'s' if changed > 1 else ''})"
        return self.submit("correction", run, doc_id=edit.doc_id)

    def reindex(self) -> Job:
        def run(job: Job) -> None:
            changes = self.context.indexer.reindex(progress=job.follow(), report=lambda m: setattr(job, "message", m),
                                                   checkpoints=job)
            job.message = f"réindexé : {len(changes)} publications"
        return self.submit("réindexation", run)
