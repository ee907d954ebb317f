"""The shipped index of the bundled corpus (seed/): a fresh clone's first start installs it instead
of building for a minute, so it must be exactly what the pipeline builds today."""
import json
import shutil

import numpy as np

from conftest import REPO


def passages_of(index):
    rows = index.store.db.execute("SELECT vid, data FROM passages ORDER BY vid").fetchall()
    return {json.loads(data)["id"]: (vid, data) for vid, data in rows}


def test_the_seed_matches_the_corpus_and_the_embedder(embedder):
    from index import seed

    assert seed.is_current(REPO / "corpus", embedder.identity), \
        "seed/ is stale: run `python scripts/make_seed.py` (corpus, model or index format changed)"


def test_the_seed_is_what_the_pipeline_builds(context, tmp_path):
    """Same passages (text, provenance, tags) and the same vectors as the session's index, built
    from the corpus by the pipeline: a change to the pipeline makes this fail until the seed is remade."""
    from index import seed
    from index.index import Index

    assert seed.install_seed(tmp_path / "data", REPO / "corpus", context.embedder.identity)
    shipped, built = Index.current(tmp_path / "data"), context.index()
    ours, theirs = passages_of(shipped), passages_of(built)
    assert len(ours) >= 280 and ours.keys() == theirs.keys()
    differing = [pid for pid in ours if json.loads(ours[pid][1]) != json.loads(theirs[pid][1])]
    assert not differing, differing[:3]
    a = np.stack([shipped.vectors.vector(ours[p][0]) for p in ours])
    b = np.stack([built.vectors.vector(theirs[p][0]) for p in ours])
    assert (a * b).sum(axis=1).min() >= 0.999
    assert len(shipped.sentences) == len(built.sentences)
    assert sorted(p.name for p in (tmp_path / "data" / "originals").iterdir()) == \
        sorted(p.name for p in (context.settings.data_dir / "originals").iterdir())


def test_the_seed_is_refused_when_the_corpus_differs(embedder, tmp_path):
    from index import seed

    corpus = tmp_path / "corpus"
    shutil.copytree(REPO / "corpus", corpus)
    assert seed.is_current(corpus, embedder.identity)
    md = corpus / "odd-objectifs-et-cibles.md"
    md.write_text(md.read_text(encoding="utf-8") + "\nUne ligne de plus.\n", encoding="utf-8")
    assert not seed.is_current(corpus, embedder.identity)
    assert not seed.install_seed(tmp_path / "data", corpus, embedder.identity)
    assert not (tmp_path / "data" / "CURRENT").exists()
    assert not seed.is_current(REPO / "corpus", embedder.identity + " autre moteur")
