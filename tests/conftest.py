"""Shared fixtures: the real model, the real proceedings, one index built once per test session."""
import os
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore", category=FutureWarning)

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
PROCEEDINGS = REPO / "corpus" / "actes-6e-rencontre-2020.pdf"


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from ingest.settings import Settings

    return Settings(data_dir=tmp_path_factory.mktemp("data"), corpus_dir=REPO / "corpus")


@pytest.fixture(scope="session")
def context(settings):
    from api.context import Context

    ctx = Context(settings)
    ctx.indexer.ingest_folder(settings.corpus_dir)
    return ctx


@pytest.fixture(scope="session")
def embedder(context):
    return context.embedder


@pytest.fixture(scope="session")
def index(context):
    return context.index()


@pytest.fixture(scope="session")
def searcher(context):
    return context.searcher()


@pytest.fixture(scope="session")
def ingested(context):
    """The proceedings ingested in memory (passages, vectors, document), as the index holds them."""
    return context.indexer.ingestor.run(PROCEEDINGS)


@pytest.fixture
def fresh(settings, embedder, tmp_path):
    """An indexer over an empty data directory (sharing the model and its embedding cache)."""
    from index.indexer import Indexer
    from ingest.pipeline import Ingestor

    return Indexer(tmp_path / "data", Ingestor(embedder))
