"""The index of the bundled corpus, prebuilt and shipped in the repository (``seed/``), so that a
fresh clone's first start answers at once instead of after ~50 s of reading, spaCy and the model
over some 1,900 texts (faster indexing could not get there: the model's own work on those texts
takes longer than the 15 s a first start may take).

It is used only when it is what a build would give now: the corpus folder holds exactly the files
it was built from (SHA-256 of each), the embedder and the index format are the same. Otherwise
the service builds the index as before. ``python scripts/make_seed.py`` remakes it;
tests/test_seed.py checks that it equals what the pipeline builds today."""
from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

from ingest.settings import REPO_ROOT

from .index import FORMAT
from .snapshots import Snapshots

SEED = REPO_ROOT / "seed"
SEED_MANIFEST = "manifest.json"


def fingerprint(corpus_dir: Path, embedder_identity: str) -> dict:
    """What a build of ``corpus_dir`` depends on, besides the code."""
    files = {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
             for p in sorted(Path(corpus_dir).iterdir()) if p.is_file()}
    return {"format": FORMAT, "embedder": embedder_identity, "corpus": files}


def is_current(corpus_dir: Path, embedder_identity: str, seed: Path = SEED) -> bool:
    try:
        shipped = json.loads((seed / SEED_MANIFEST).read_text())
    except FileNotFoundError:
        return False
    return shipped == fingerprint(corpus_dir, embedder_identity)


def install_seed(data_dir: Path, corpus_dir: Path, embedder_identity: str, seed: Path = SEED) -> bool:
    """Put the seed in ``data_dir`` as its first snapshot (with its stored originals) if it matches
    the corpus and the embedder; False (nothing written) otherwise."""
    snapshots = Snapshots(data_dir)
    if not is_current(corpus_dir, embedder_identity, seed):
        return False
    with snapshots.lock():
        if snapshots.current() is not None:
            return False
        for folder in sorted((seed / "originals").iterdir()):
            target = Path(data_dir) / "originals" / folder.name
            if not target.exists():
                shutil.copytree(folder, target.with_name(target.name + ".tmp"), dirs_exist_ok=True)
                target.with_name(target.name + ".tmp").rename(target)
        build = snapshots.prepare()
        for f in (seed / "snapshot").iterdir():
            shutil.copy2(f, build / f.name)
        snapshots.publish(build)
    return True


def make(data_dir: Path, corpus_dir: Path, embedder_identity: str, seed: Path = SEED) -> None:
    """Write the seed from ``data_dir``, an index built from ``corpus_dir`` alone."""
    current = Snapshots(data_dir).current()
    work = seed.with_name(seed.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    shutil.copytree(current, work / "snapshot", ignore=shutil.ignore_patterns("*-wal", "*-shm"))
    shutil.copytree(Path(data_dir) / "originals", work / "originals")
    (work / SEED_MANIFEST).write_text(json.dumps(fingerprint(corpus_dir, embedder_identity), indent=2) + "\n")
    shutil.rmtree(seed, ignore_errors=True)
    work.rename(seed)
