"""The deployment guide's files, exercised: the nginx configuration (TLS, the page, the API, the
widget's CORS, the request id, /metrics for the local machine) in front of the real service on
loopback, and the systemd units checked by `systemd-analyze verify`. Debian's nginx and systemd
are installed by .ci/run; without them these tests fail rather than skip."""
import shutil
import socket
import ssl
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from conftest import REPO, _free_port

DEPLOY = REPO / "deploy"
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"


@pytest.fixture(scope="module")
def proxy(server, tmp_path_factory):
    """nginx with deploy/nginx-catalyse.conf, its names, ports and certificate made local."""
    if not Path(NGINX).exists():
        pytest.fail("nginx is missing: `apt-get install nginx` (.ci/run installs it)")
    folder = tmp_path_factory.mktemp("nginx")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost",
                    "-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    https, http = _free_port(), _free_port()
    upstream = server["url"].removeprefix("http://")
    conf = (DEPLOY / "nginx-catalyse.conf").read_text()
    for old, new in (("catalyse.example.org", "localhost"), ("127.0.0.1:8000", upstream),
                     ("/etc/letsencrypt/live/localhost/fullchain.pem", str(cert)),
                     ("/etc/letsencrypt/live/localhost/privkey.pem", str(key)),
                     ("listen [::]:443 ssl http2;", ""), ("listen [::]:80;", ""),      # loopback IPv4 only here
                     ("listen 443 ssl", f"listen 127.0.0.1:{https} ssl"), ("listen 80;", f"listen 127.0.0.1:{http};")):
        assert old in conf, old
        conf = conf.replace(old, new)
    (folder / "catalyse.conf").write_text(conf)
    (folder / "nginx.conf").write_text(f"""
user root;
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log;
events {{ worker_connections 64; }}
http {{
    access_log {folder}/access.log;
    client_body_temp_path {folder}/body;
    proxy_temp_path {folder}/proxy;
    fastcgi_temp_path {folder}/fastcgi;
    uwsgi_temp_path {folder}/uwsgi;
    scgi_temp_path {folder}/scgi;
    include /etc/nginx/mime.types;
    include {folder}/catalyse.conf;
}}
""")
    checked = subprocess.run([NGINX, "-t", "-p", str(folder), "-c", str(folder / "nginx.conf")],
                             capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr
    process = subprocess.Popen([NGINX, "-p", str(folder), "-c", str(folder / "nginx.conf"), "-g", "daemon off;"])
    deadline = time.time() + 20
    while True:
        try:
            socket.create_connection(("127.0.0.1", https), timeout=1).close()
            break
        except OSError:
            if time.time() > deadline or process.poll() is not None:
                process.kill()
                pytest.fail((folder / "error.log").read_text())
            time.sleep(0.1)
    trust = ssl.create_default_context(cafile=str(cert))
    with httpx.Client(base_url=f"https://localhost:{https}", verify=trust, timeout=120) as client:
        yield {"client": client, "http": f"http://localhost:{http}", "folder": folder}
    process.terminate()
    process.wait(timeout=10)


def test_page_api_and_widget_through_nginx_with_tls(proxy, widget_origin):
    client = proxy["client"]
    page = client.get("/", params={"q": "garage solidaire"})
    assert page.status_code == 200 and "text/html" in page.headers["content-type"]
    assert "Content-Security-Policy" in page.headers and "Strict-Transport-Security" in page.headers
    assert "garage" in page.text.lower()
    found = client.get("/api/search", params={"q": "garage solidaire mobilité", "k": 3}).json()
    assert found["total"] > 0 and len(found["results"]) == 3
    widget = client.get("/widget.js")
    assert widget.status_code == 200 and "javascript" in widget.headers["content-type"]
    # the widget on another site: its origin is allowed by the app, through the proxy; another is not
    origin = widget_origin["url"]
    related = client.post("/api/related", json={"text": "un garage solidaire pour la mobilité", "k": 2},
                          headers={"Origin": origin})
    assert related.status_code == 200 and related.headers["access-control-allow-origin"] == origin
    preflight = client.options("/api/related", headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                                        "Access-Control-Request-Headers": "content-type"})
    assert preflight.status_code == 200 and preflight.headers["access-control-allow-origin"] == origin
    other = client.post("/api/related", json={"text": "mobilité", "k": 1}, headers={"Origin": "https://ailleurs.example"})
    assert "access-control-allow-origin" not in other.headers
    # nginx's request id reaches the app's log line and comes back
    assert len(client.get("/health").headers["X-Request-ID"]) == 32
    # plain HTTP is sent to HTTPS
    moved = httpx.get(proxy["http"] + "/api/search?q=x", follow_redirects=False)
    assert moved.status_code == 301 and moved.headers["location"].startswith("https://localhost")


def test_metrics_through_nginx_from_the_machine_itself(proxy):
    scraped = proxy["client"].get("/metrics")
    assert scraped.status_code == 200 and "catalyse_http_requests_total" in scraped.text


def test_an_upload_larger_than_the_app_allows_gets_the_apps_answer(proxy, server):
    """Under nginx's 50 MB limit, over the test app's 2 MB: the app's 413 with its stable code."""
    from conftest import AUTH

    r = proxy["client"].post("/api/documents", headers=AUTH,
                             files={"file": ("gros.md", b"# Titre\n" + b"mot " * 800_000)})
    assert r.status_code == 413 and r.json()["error"]["code"] == "too_large"


@pytest.mark.parametrize("unit", ["catalyse.service", "catalyse-backup.service", "catalyse-backup.timer"])
def test_systemd_units_verify(unit, tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.fail("systemd-analyze is missing (Debian's systemd package)")
    # the unit as installed on this machine: its program where the tests' virtualenv has it, run as root
    catalyse = Path(sys.executable).parent / "catalyse"
    for name in {unit, unit.replace(".timer", ".service")}:
        text = (DEPLOY / name).read_text().replace("/opt/catalyse/.venv/bin/catalyse", str(catalyse))
        (tmp_path / name).write_text(text.replace("User=catalyse", "User=root").replace("Group=catalyse", "Group=root"))
    done = subprocess.run([analyze, "verify", str(tmp_path / unit)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stderr.strip(), done.stderr
