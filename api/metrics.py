"""The service's metrics in the Prometheus text format (``GET /metrics``), through
``prometheus_client``, in a registry of the service's own (two services in one process — the
tests — count apart). Labels are routes as declared (``/api/documents/{doc_id}``), stages,
caches, outcomes: never a question, a path as sent or a client."""
from __future__ import annotations

from typing import Callable

from prometheus_client import CollectorRegistry, Counter, Histogram, disable_created_metrics, generate_latest
from prometheus_client.core import GaugeMetricFamily

disable_created_metrics()      # no "_created" twin of every series: a scrape stays readable

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
# request latencies run from ~3 ms (a cached answer) to seconds (an upload read in a child process)
REQUEST_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
# a search stage takes from microseconds (a cached vector) to ~50 ms at 1M passages (docs/performance.md)
STAGE_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0)
JOB_BUCKETS = (1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600)


class IndexCollector:
    """The current snapshot's size, read when scraped (nothing before the index is loaded)."""

    def __init__(self, stats: Callable[[], dict | None]):
        self.stats = stats

    def collect(self):
        stats = self.stats()
        if not stats:
            return
        for name, key, help in (("catalyse_index_documents", "documents", "Publications in the current snapshot"),
                                ("catalyse_index_passages", "passages", "Passages in the current snapshot"),
                                ("catalyse_index_sentence_vectors", "sentence_vectors",
                                 "Sentence vectors in the current snapshot"),
                                ("catalyse_index_bytes", "bytes", "Size of the current snapshot's files on disk")):
            if key in stats:
                yield GaugeMetricFamily(name, help, value=stats[key])


class Metrics:
    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        self.requests = Counter("catalyse_http_requests", "HTTP requests by route, method and status",
                                ["route", "method", "status"], registry=r)
        self.latency = Histogram("catalyse_http_request_duration_seconds", "HTTP request latency by route",
                                 ["route", "method"], buckets=REQUEST_BUCKETS, registry=r)
        self.stages = Histogram("catalyse_search_stage_seconds",
                                "Time of a computed answer's stages: embedding, retrieval, answer building",
                                ["stage"], buckets=STAGE_BUCKETS, registry=r)
        self.cache = Counter("catalyse_cache_lookups", "Cache lookups by cache and result (hit rate = hit / all)",
                             ["cache", "result"], registry=r)
        self.jobs = Counter("catalyse_edit_jobs", "Editor jobs finished, by action and outcome",
                            ["action", "outcome"], registry=r)
        self.job_duration = Histogram("catalyse_edit_job_duration_seconds", "Editor jobs' run time",
                                      ["action"], buckets=JOB_BUCKETS, registry=r)
        self.rate_limited = Counter("catalyse_rate_limited_requests", "Requests refused with 429, by budget",
                                    ["budget"], registry=r)
        self.questions = Counter("catalyse_questions", "Searches computed or served from the answer cache, "
                                 "by whether a passage was relevant", ["answered"], registry=r)

    def watch_index(self, stats: Callable[[], dict | None]) -> None:
        self.registry.register(IndexCollector(stats))

    def request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(route, method, str(status)).inc()
        self.latency.labels(route, method).observe(seconds)

    def answered(self, stages, computed: bool, total: int) -> None:
        """One search: its stages when it was computed, the answer cache's hit or miss."""
        self.cache.labels("answers", "miss" if computed else "hit").inc()
        if computed:
            self.cache.labels("question_vectors", "hit" if stages.vector_cached else "miss").inc()
            for stage in ("embedding", "retrieval", "building"):
                self.stages.labels(stage).observe(getattr(stages, stage))
        self.questions.labels("yes" if total else "no").inc()

    def job_done(self, action: str, outcome: str, seconds: float) -> None:
        self.jobs.labels(action, outcome).inc()
        self.job_duration.labels(action).observe(seconds)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)
