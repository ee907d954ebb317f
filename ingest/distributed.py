"""Ingestion spread over a Ray cluster (``catalyse ingest --ray ADDRESS|auto|local``, optional extra
``catalyse[ray]``): each publication is read, cut, tagged and embedded by a Ray actor — one per
worker, which loads the model once — and the indexer writes one snapshot from the results, as for
a local ingest. ``RayIngestor.run_many`` is ``Ingestor.run_many``'s contract, so ``Indexer.add``
is unchanged.

What differs from a local ingest: the verdict (unchanged, duplicate) is given once the document
comes back, so an unchanged publication is embedded before it is recognised; each document is
embedded alone (a local ingest embeds groups of documents), which changes vectors by float32
rounding only (passage vectors equal to 1e-5, float16 sentence vectors to one step:
tests/test_ray_ingest.py, on a real head node). Every node needs the model cache
(``CATALYSE_MODEL_CACHE``) and the files to ingest at the same paths."""
from __future__ import annotations

from pathlib import Path
from typing import Iterable, Iterator

from .checkpoints import UNSTOPPABLE, Checkpoints
from .errors import CatalyseError
from .pipeline import Ingestor, Item, Verdict
from .progress import Progress
from .settings import Settings

WORKERS_DEFAULT = 2     # this machine's two cores; on a cluster, one actor per node's core budget


class IngestWorker:
    """Runs in a Ray worker process: the model, tagger and chunker, loaded once."""

    def __init__(self, settings: Settings):
        from .embedder import Embedder
        from .pipeline import Ingestor
        from .settings import apply_thread_settings

        apply_thread_settings(1)        # one core per actor: the actors are the parallelism
        self.ingestor = Ingestor(Embedder(settings, cache=False))

    def ingest(self, path: str, metadata: dict | None):
        try:
            return self.ingestor.run(Path(path), metadata)
        except CatalyseError as error:
            return error


def connect_ray(address: str) -> None:
    """``local``: a head node started in this process (stopped with it); ``auto`` or host:port: a cluster,
    joined with the environment's ``RAY_AUTH_MODE``/``RAY_AUTH_TOKEN`` (the cluster's own)."""
    import os
    import sys

    # no usage report: this service's machines reach no address but their own and the registries
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    if address == "local" and "ray" not in sys.modules:     # both are read when ray is imported
        # loopback only: Ray otherwise rewrites 127.0.0.1 to the machine's routable address
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
        # token auth with a token of this process's own, not ~/.ray/auth_token: Ray writes that file for
        # a new local head, and any later `ray start --head` of the machine then wants a token from its drivers
        if "RAY_AUTH_MODE" not in os.environ:
            import secrets

            os.environ["RAY_AUTH_MODE"] = "token"
            if not {"RAY_AUTH_TOKEN", "RAY_AUTH_TOKEN_PATH"} & set(os.environ):
                os.environ["RAY_AUTH_TOKEN"] = secrets.token_hex(32)
    import ray

    if not ray.is_initialized():
        # "local" is Ray's own word for a new head node, even where another cluster's address file is left
        local = {"num_cpus": WORKERS_DEFAULT, "_node_ip_address": "127.0.0.1"} if address == "local" else {}
        ray.init(address=address, include_dashboard=False, log_to_driver=False, **local)


class RayIngestor:
    """An ``Ingestor`` for the indexer whose documents are ingested by Ray actors; ``local`` gives
    the model's name and dimension and the tagger's name the snapshot records."""

    def __init__(self, local: Ingestor, workers: int = WORKERS_DEFAULT):
        import ray

        self.embedder, self.tagger = local.embedder, local.tagger
        actor = ray.remote(num_cpus=1)(IngestWorker)
        self.workers = [actor.remote(local.embedder.settings) for _ in range(workers)]

    def run_many(self, items: Iterable[Item], progress: Progress | None = None, verdict: Verdict | None = None,
                 checkpoints: Checkpoints = UNSTOPPABLE) -> Iterator[tuple[Path, dict | None, object]]:
        """Each item's outcome, in order of completion (see ``Ingestor.run_many``)."""
        import ray

        progress = progress or Progress()
        items = [(Path(p), m) for p, m in items]
        progress.update(step=f"{len(items)} publications réparties sur {len(self.workers)} workers Ray")
        pending = {self.workers[i % len(self.workers)].ingest.remote(str(path), meta): (path, meta)
                   for i, (path, meta) in enumerate(items)}
        while pending:
            checkpoints.check()
            [ready], _ = ray.wait(list(pending), num_returns=1)
            path, meta = pending.pop(ready)
            outcome = ray.get(ready)
            try:
                said = outcome if isinstance(outcome, CatalyseError) else (verdict(outcome.document) if verdict else None)
            except CatalyseError as error:      # a duplicate: refused, as Ingestor.run_many does
                said = error
            progress.update(done=progress.done + 1, step=f"{path.name} terminé",
                            passages=progress.passages + (0 if said is not None else len(outcome.passages)))
            yield path, meta, said if said is not None else outcome
