"""Distributed ingestion on a real Ray head node (`ray start --head --block` on 127.0.0.1, a port and a
temp dir of its own, token auth with a token of its own; scripts/ray_local.py says why each matters):
publications ingested by two Ray workers give the snapshot a local ingest of the same files gives —
the same passages (ids, texts, tags) and vectors (to 1e-5; sentence vectors, stored as float16, to one
float16 step). The publications are the bundled ODD reference cut into four files at its ODD headings
(64 of the corpus's 349 passages: the whole corpus took 4 minutes here), so both workers get
two each and the test stays near a minute and a half."""
import json
import os
import time

import numpy as np
import pytest

from conftest import REPO, _free_port, optional_extra

ODD = REPO / "corpus" / "odd-objectifs-et-cibles.md"
PARTS = 4


@pytest.fixture(scope="module")
def ray_head():
    """The head on loopback, this process joined to it; fails (never skips under CI) when it does not
    start or the driver cannot join exactly it; stopped by its pid, and nothing of it left running."""
    from scripts import ray_local

    with pytest.MonkeyPatch.context() as env:
        for name, value in ray_local.BASE_ENV.items():      # before ray is imported: it reads them then
            env.setenv(name, value)
        env.delenv("RAY_AUTH_TOKEN_PATH", raising=False)
        ray = optional_extra("ray", "ray")
        # the workers import this checkout's code (a worktree's venv may hold another checkout's install)
        pythonpath = os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))
        try:
            head = ray_local.start(_free_port(), num_cpus=2, env={"PYTHONPATH": pythonpath})
        except RuntimeError as error:
            pytest.fail(f"the ray head did not start: {error}")
        try:
            for name, value in head.env.items():
                env.setenv(name, value)
            ray_local.join(head)
        except Exception as error:
            left = head.stop()
            pytest.fail(f"could not join the ray head at {head.address}: {error}\n(stopped; left over: {left})\n"
                        f"{head.log_tail()}")
        try:
            yield head
        finally:
            ray.shutdown()
            left = head.stop()
            assert head.process.poll() is not None, f"ray head (pid {head.pid}) still running"
            assert not head.leftovers(), f"ray processes still running under {head.temp_dir}: {head.leftovers()}"
    assert not left, f"the head left processes running after SIGTERM (stopped by pid): {left}"


@pytest.fixture(scope="module")
def publications_in_parts(tmp_path_factory):
    """The ODD reference cut at its `## ODD` headings into PARTS files, each with the reference's metadata."""
    folder = tmp_path_factory.mktemp("ray-corpus")
    lines = ODD.read_text(encoding="utf-8").splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("## ODD ")]
    assert len(starts) == 17, starts
    meta = json.loads(ODD.with_suffix(".meta.json").read_text(encoding="utf-8"))
    bounds = [starts[round(k * len(starts) / PARTS)] for k in range(PARTS)] + [len(lines)]
    paths = []
    for k in range(PARTS):
        path = folder / f"odd-partie-{k + 1}.md"
        path.write_text(f"# Les objectifs de développement durable, partie {k + 1}\n\n"
                        + "".join(lines[bounds[k]:bounds[k + 1]]), encoding="utf-8")
        path.with_suffix(".meta.json").write_text(json.dumps(dict(meta, title=f"{meta['title']} ({k + 1}/{PARTS})"),
                                                             ensure_ascii=False), encoding="utf-8")
        paths.append(path)
    return paths


def snapshot_by_passage(index) -> dict:
    vids = index.store.passage_vids()
    passages = index.store.passages(list(vids.values()))
    return {pid: (passages[vid], index.vectors.vector(vid), index.sentences.of(vid)) for pid, vid in vids.items()}


def within_a_float16_step(a: np.ndarray, b: np.ndarray) -> bool:
    """Sentence vectors are stored as float16: a float32 difference of 1e-6 can move one by one step."""
    step = np.spacing(np.maximum(np.abs(a), np.abs(b)).astype(np.float16)).astype(np.float32)
    return bool(np.all(np.abs(a - b) <= step * 1.001))


def labels(passage) -> tuple:
    """A passage's tags, without their scores (float32 rounding)."""
    tags = passage.tags
    return (tags.entry_point.id if tags.entry_point else None,
            *(tuple(label.id for label in getattr(tags, facet)) for facet in ("levers", "sdg", "trades")))


def test_the_workers_run_this_checkout_and_everything_listens_on_loopback(ray_head):
    import ray

    from ingest import distributed

    @ray.remote(num_cpus=1)
    def where():
        import socket

        import ingest.distributed
        return ingest.distributed.__file__, ray.get_runtime_context().get_node_id(), socket.gethostname()

    files = {f for f, _, _ in ray.get([where.remote() for _ in range(4)])}
    assert files == {distributed.__file__}, files
    assert ray.cluster_resources().get("CPU") == 2.0, ray.cluster_resources()
    assert [n["NodeManagerAddress"] for n in ray.nodes() if n["Alive"]] == ["127.0.0.1"]
    listening = ray_head.listening()        # the GCS, the raylet, its agents and workers: loopback only
    assert ray_head.address in listening and len(listening) > 2, listening
    assert all(a.startswith("127.0.0.1:") for a in listening), listening


def test_ray_ingest_gives_the_local_snapshot(ray_head, publications_in_parts, embedder, tmp_path):
    from index.index import Index
    from index.indexer import Indexer
    from ingest.distributed import RayIngestor
    from ingest.pipeline import Ingestor
    from ingest.progress import Progress

    items = [(p, None) for p in publications_in_parts]
    started = time.monotonic()
    local = Indexer(tmp_path / "local", Ingestor(embedder)).add(items)
    local_time = time.monotonic() - started
    progress = Progress()
    ray_ingestor = RayIngestor(Ingestor(embedder), workers=2)
    started = time.monotonic()
    changes = Indexer(tmp_path / "ray", ray_ingestor).add(items, progress=progress)
    ray_time = time.monotonic() - started
    passages = sum(c.passages for c in changes)
    print(f"{passages} passages of {len(items)} publications: local {local_time:.0f} s, "
          f"ray (2 workers) {ray_time:.0f} s")
    assert [c.status for c in changes] == ["added"] * PARTS, changes
    assert sorted(c.passages for c in changes) == sorted(c.passages for c in local)
    assert progress.done == PARTS and progress.passages == passages > 50, progress
    distributed, want_index = Index.current(tmp_path / "ray"), Index.current(tmp_path / "local")
    got, want = snapshot_by_passage(distributed), snapshot_by_passage(want_index)
    assert got.keys() == want.keys() and len(got) == passages
    for pid, (passage, vector, sentences) in want.items():
        other, other_vector, other_sentences = got[pid]
        assert (other.text, other.doc_id, other.section, other.start, other.end) == (
            passage.text, passage.doc_id, passage.section, passage.start, passage.end), pid
        assert labels(other) == labels(passage), pid
        assert other_vector.shape == vector.shape and np.allclose(other_vector, vector, rtol=0, atol=1e-5), pid
        assert other_sentences.shape == sentences.shape and within_a_float16_step(other_sentences, sentences), pid
    assert distributed.stats()["documents"] == want_index.stats()["documents"] == PARTS
