"""Running it for real: ``GET /metrics`` after known traffic, the JSON log lines (fields, request
id, no question text at the default level), every CATALYSE_* setting in the README."""
import io
import json
import logging
import re
import uuid

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families

from conftest import AUTH, KIT_TEXT, REPO, wait_for_job


def scrape(client) -> dict[tuple, float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    r = client.get("/metrics")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    return {(s.name, tuple(sorted(s.labels.items()))): s.value
            for family in text_string_to_metric_families(r.text) for s in family.samples}


def value(samples, name, **labels) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server["url"], timeout=300) as client:
        yield client


@pytest.fixture
def log_lines():
    """The service's log lines as the command `catalyse serve` writes them (default level and format)."""
    from api import logs

    stream = io.StringIO()
    handler = logs.configure(stream=stream)
    lines = lambda: [json.loads(line) for line in stream.getvalue().splitlines()]  # noqa: E731
    yield lines
    logging.getLogger("catalyse").removeHandler(handler)


def test_metrics_count_the_traffic_they_saw(api, server):
    question = f"garage solidaire et mobilité des chômeurs {uuid.uuid4().hex[:6]}"   # never asked before
    before = scrape(api)
    for _ in range(3):
        found = api.get("/api/search", params={"q": question, "k": 3})
        assert found.status_code == 200
    assert api.get("/", params={"q": question}).status_code == 200        # the page, same question and k
    assert api.get("/api/documents/nulle-part").status_code == 404
    after = scrape(api)

    def delta(name, **labels):
        return value(after, name, **labels) - value(before, name, **labels)

    # per route template, never the raw path
    assert delta("catalyse_http_requests_total", route="/api/search", method="GET", status="200") == 3
    assert delta("catalyse_http_requests_total", route="/", method="GET", status="200") == 1
    assert delta("catalyse_http_requests_total", route="/api/documents/{doc_id}", method="GET", status="404") == 1
    assert delta("catalyse_http_request_duration_seconds_count", route="/api/search", method="GET") == 3
    assert not any("nulle-part" in str(key) for key in after)
    # the API's three searches: one computed (its stages timed, its vector missing), two from the answer cache;
    # the page asks for k=10, another answer (computed, the question's vector cached by then)
    assert delta("catalyse_cache_lookups_total", cache="answers", result="miss") == 2
    assert delta("catalyse_cache_lookups_total", cache="answers", result="hit") == 2
    assert delta("catalyse_cache_lookups_total", cache="question_vectors", result="miss") == 1
    assert delta("catalyse_cache_lookups_total", cache="question_vectors", result="hit") == 1
    for stage in ("embedding", "retrieval", "building"):
        assert delta("catalyse_search_stage_seconds_count", stage=stage) == 2
        assert delta("catalyse_search_stage_seconds_sum", stage=stage) > 0
    assert delta("catalyse_questions_total", answered="yes" if found.json()["total"] else "no") == 4
    # the index's size is the loaded snapshot's
    stats = api.get("/health").json()["index"]
    assert value(after, "catalyse_index_passages") == stats["passages"]
    assert value(after, "catalyse_index_documents") == stats["documents"]
    assert value(after, "catalyse_index_bytes") > 1_000_000
    # no question text anywhere in the metrics
    assert "garage" not in api.get("/metrics").text


def test_rate_limited_requests_are_counted(tmp_path):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.context import Context
    from api.service import Service, ServiceConfig
    from ingest.settings import Settings

    service = Service(Context(Settings(data_dir=tmp_path)), ServiceConfig(editor_token="x", editor_rate=0.1,
                                                                            question_log=False))
    client = TestClient(create_app(service, start=False))
    statuses = [client.get("/api/jobs").status_code for _ in range(3)]
    # a burst of 10 × 0.1 = 1 failed authentication, then refused: failures have a budget of their own
    assert statuses == [401, 429, 429]
    samples = scrape(client)
    assert value(samples, "catalyse_rate_limited_requests_total", budget="failed_auth") == 2
    assert value(samples, "catalyse_http_requests_total", route="/api/jobs", method="GET", status="429") == 2


def test_searches_over_their_budget_are_counted(tmp_path):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.context import Context
    from api.service import Service, ServiceConfig
    from ingest.settings import Settings

    service = Service(Context(Settings(data_dir=tmp_path)), ServiceConfig(search_rate=0.1, question_log=False))
    client = TestClient(create_app(service, start=False))
    # a burst of 10 × 0.1 = 1 request of the search budget, then refused
    statuses = [client.get("/api/documents").status_code for _ in range(4)]
    assert statuses[0] != 429 and statuses[1:] == [429, 429, 429]
    samples = scrape(client)
    assert value(samples, "catalyse_rate_limited_requests_total", budget="search") == 3
    assert value(samples, "catalyse_rate_limited_requests_total", budget="editor") == 0


def test_log_lines_have_their_fields_and_no_question(api, server, log_lines):
    question = "zanzibar quokka 7731 licenciement de Jeanne Dupont"
    r = api.get("/api/search", params={"q": question}, headers={"X-Request-ID": "essai-0123456789"})
    assert r.headers["X-Request-ID"] == "essai-0123456789"             # a sane id is echoed
    odd = api.get("/api/search", params={"q": "emploi"}, headers={"X-Request-ID": "<script>"})
    assert re.fullmatch(r"[0-9a-f]{32}", odd.headers["X-Request-ID"])   # an odd one is replaced
    missing = api.get("/api/documents/nulle-part")
    text = KIT_TEXT + f"\nVersion du journal {uuid.uuid4().hex}.\n"       # new content: never a duplicate
    upload = api.post("/api/documents", headers=AUTH, files={"file": ("kit-journal.md", text.encode())})
    assert upload.status_code == 202
    job = wait_for_job(api, upload.json())
    assert job["status"] == "terminé" and job["request_id"] == upload.headers["X-Request-ID"]
    done = wait_for_job(api, api.delete("/api/documents/kit-journal", headers=AUTH).json())
    assert done["status"] == "terminé"

    lines = log_lines()
    requests = {line["request_id"]: line for line in lines if line.get("event") == "request"}
    first = requests["essai-0123456789"]
    assert first["level"] == "INFO" and first["route"] == "/api/search" and first["status"] == 200
    assert first["method"] == "GET" and first["duration_ms"] > 0 and first["ts"].endswith("Z")
    assert requests[odd.headers["X-Request-ID"]]["status"] == 200
    failed = requests[missing.headers["X-Request-ID"]]
    assert failed["level"] == "WARNING" and failed["status"] == 404 and failed["error"] == "unknown_document"
    jobs = [line for line in lines if line.get("event") == "job"]
    added = next(line for line in jobs if line["job"] == job["id"])
    assert added["action"] == "ajout" and added["status"] == "terminé" and added["doc_id"] == "kit-journal"
    assert added["request_id"] == upload.headers["X-Request-ID"] and added["duration_s"] >= 0
    text = "\n".join(json.dumps(line, ensure_ascii=False) for line in lines)
    for word in ("zanzibar", "quokka", "Dupont", "licenciement", "emploi"):
        assert word not in text
    metrics = scrape(api)
    assert value(metrics, "catalyse_edit_jobs_total", action="ajout", outcome="ok") >= 1
    assert value(metrics, "catalyse_edit_jobs_total", action="retrait", outcome="ok") >= 1


def test_questions_are_logged_at_debug_only(api):
    from api import logs

    stream = io.StringIO()
    handler = logs.configure(level="DEBUG", stream=stream)
    try:
        api.get("/api/search", params={"q": "quokka zanzibar"})
    finally:
        logging.getLogger("catalyse").removeHandler(handler)
        logging.getLogger("catalyse").setLevel(logging.INFO)
    assert "quokka" in stream.getvalue()


def test_text_format_and_bad_settings():
    from api import logs

    stream = io.StringIO()
    handler = logs.configure(level="warning", fmt="text", stream=stream)
    try:
        logs.event(logging.getLogger("catalyse.http"), logging.WARNING, {"event": "request", "status": 404})
    finally:
        logging.getLogger("catalyse").removeHandler(handler)
        logging.getLogger("catalyse").setLevel(logging.INFO)
    assert "WARNING catalyse.http event=request status=404" in stream.getvalue()
    with pytest.raises(ValueError, match="CATALYSE_LOG_LEVEL"):
        logs.configure(level="bavard")
    with pytest.raises(ValueError, match="CATALYSE_LOG_FORMAT"):
        logs.configure(fmt="xml")


def test_every_catalyse_variable_in_the_code_is_in_the_readme():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    code = "\n".join(p.read_text(encoding="utf-8") for folder in ("api", "index", "ingest", "search")
                     for p in (REPO / folder).rglob("*.py"))
    names = set(re.findall(r"CATALYSE_[A-Z_]+[A-Z]", code)) - {"CATALYSE_SKIP_BROWSER_TESTS"}
    assert names >= {"CATALYSE_LOG_LEVEL", "CATALYSE_LOG_FORMAT", "CATALYSE_QUESTION_LOG"}
    missing = sorted(n for n in names if f"`{n}`" not in readme)
    assert not missing, f"README.md does not document {missing}"


def test_a_service_starting_is_a_warning_with_its_code_not_an_internal_error(tmp_path):
    import json

    from fastapi.testclient import TestClient

    from api import logs
    from api.app import create_app
    from api.context import Context
    from api.service import Service, ServiceConfig
    from ingest.settings import Settings

    service = Service(Context(Settings(data_dir=tmp_path)), ServiceConfig(question_log=False))
    client = TestClient(create_app(service, start=False))      # never made ready: what /health says at start
    stream = io.StringIO()
    handler = logs.configure(stream=stream)
    try:
        assert client.get("/health").status_code == 503
    finally:
        logging.getLogger("catalyse").removeHandler(handler)
        logging.getLogger("catalyse").setLevel(logging.INFO)
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if '"request"' in line]
    assert [(x["route"], x["status"], x["level"], x["error"]) for x in lines] == [("/health", 503, "WARNING", "not_ready")]
