"""Distributed ingestion on a real Ray head node (started with `ray start --head --block` on a loopback
port, stopped by its pid): the bundled corpus ingested by two Ray workers gives the snapshot a local
ingest gives — the same passages, tags and vectors (to 1e-5;
sentence vectors, stored as float16, to one float16 step)."""
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from conftest import _free_port, optional_extra

READY_TIMEOUT = 120     # `ray start` answers in about 10 s here


@pytest.fixture(scope="module")
def ray_head(tmp_path_factory):
    ray = optional_extra("ray", "ray")
    port = _free_port()
    log = tmp_path_factory.mktemp("ray") / "head.log"
    head = subprocess.Popen([str(Path(sys.executable).parent / "ray"), "start", "--head", "--block",
                             "--node-ip-address=127.0.0.1", f"--port={port}", "--num-cpus=2",
                             "--include-dashboard=false", "--disable-usage-stats"],
                            stdout=open(log, "wb"), stderr=subprocess.STDOUT, start_new_session=True,
                            env=dict(os.environ, RAY_USAGE_STATS_ENABLED="0"))
    address = f"127.0.0.1:{port}"
    deadline = time.monotonic() + READY_TIMEOUT
    # ray.init only once the head says it runs: a failed first ray.init leaves the driver half set up
    while "Ray runtime started" not in log.read_text(errors="replace"):
        if head.poll() is not None:
            pytest.fail(f"ray head exited with {head.returncode}: {log.read_text()[-2000:]}")
        if time.monotonic() > deadline:
            head.terminate()
            pytest.fail(f"ray head not ready on {address} within {READY_TIMEOUT} s: {log.read_text()[-2000:]}")
        time.sleep(0.5)
    try:
        ray.init(address=address, _node_ip_address="127.0.0.1", log_to_driver=False)   # loopback only
    except Exception as error:      # stopped, not left running, when the driver cannot join it
        head.terminate()
        head.wait(60)
        pytest.fail(f"could not join the ray head at {address}: {error}")
    yield address
    ray.shutdown()
    head.terminate()        # --block: the head stops its raylet and GCS with it
    head.wait(60)
    assert head.poll() is not None, f"ray head (pid {head.pid}) still running"


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


def test_ray_ingest_gives_the_local_snapshot(ray_head, index, settings, embedder, tmp_path):
    from index.index import Index
    from index.indexer import Indexer, publications
    from ingest.distributed import RayIngestor
    from ingest.pipeline import Ingestor

    indexer = Indexer(tmp_path / "data", RayIngestor(Ingestor(embedder)))
    started = time.monotonic()
    changes = indexer.add([(p, None) for p in publications(settings.corpus_dir)])
    print(f"ray ingest (2 workers): {sum(c.passages for c in changes)} passages in {time.monotonic() - started:.0f} s")
    assert all(c.status == "added" for c in changes), changes
    distributed = Index.current(tmp_path / "data")
    got, want = snapshot_by_passage(distributed), snapshot_by_passage(index)
    assert got.keys() == want.keys()
    for pid, (passage, vector, sentences) in want.items():
        other, other_vector, other_sentences = got[pid]
        assert other.text == passage.text and labels(other) == labels(passage), pid
        assert np.allclose(other_vector, vector, atol=1e-5), pid
        assert other_sentences.shape == sentences.shape and within_a_float16_step(other_sentences, sentences), pid
    assert distributed.stats()["documents"] == index.stats()["documents"]
