"""An adversarial probe of a fresh service on loopback: every case of issue 13 and more (request
smuggling, slow bodies, an upload burst, kills during a write), bounded in time, then a table of probes
and results and a consistency check of the data directory.

    python scripts/probe.py [--data-dir data/bundled] [--minutes 20] [--port 8765] [--skip-kills]

The data directory is copied (never written); the service runs as `catalyse serve` does
(`python -m api.cli serve`). Exit status 1 when any answer is ≥ 500 or the data is inconsistent.
"""
from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import random
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

REPO = Path(__file__).resolve().parent.parent
TOKEN = "jeton-de-sonde-0123456789abcdef"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
ORIGIN = "http://site.example"
KIT = """# Kit {n} : les jardins partagés

Un jardin partagé numéro {n} réunit des habitants, une association de quartier et la ville. Les jardiniers
se retrouvent chaque samedi pour cultiver ensemble, échanger des semences et accueillir les écoles du quartier.

## Financer le jardin {n}

Le jardin repose sur des cotisations, un appel à projets de la métropole et le mécénat d'une entreprise locale.
"""


# -- the service ------------------------------------------------------------------------------------------
class Served:
    """`catalyse serve` on a data directory, started, killed and restarted."""

    def __init__(self, data: Path, port: int, env: dict[str, str]):
        self.data, self.port, self.env = data, port, env
        self.url = f"http://127.0.0.1:{port}"
        self.proc: subprocess.Popen | None = None
        self.log = open(data.parent / "service.log", "ab")

    def start(self, timeout: float = 300) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "api.cli", "--data-dir", str(self.data), "serve",
                                      "--port", str(self.port)], cwd=REPO, env={**os.environ, **self.env},
                                     stdout=self.log, stderr=self.log)
        deadline = time.time() + timeout
        while time.time() < deadline:
            try:
                if httpx.get(self.url + "/health", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError(f"the service stopped (code {self.proc.returncode}); see {self.log.name}")
            time.sleep(0.3)
        raise RuntimeError("the service did not become healthy")

    def kill(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait()

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()


# -- what the data directory must say --------------------------------------------------------------------
def consistency(data: Path, served: Served | None = None) -> list[str]:
    """What is wrong, if anything: the service's documents, the store, FAISS, the originals and the
    temporaries must agree."""
    import faiss

    problems = []
    current = (data / "snapshots" / (data / "CURRENT").read_text().strip())
    with sqlite3.connect(f"file:{current / 'store.sqlite'}?mode=ro", uri=True) as db:
        if (check := db.execute("PRAGMA integrity_check").fetchone()[0]) != "ok":
            problems.append(f"SQLite integrity_check: {check}")
        stored = {r[0] for r in db.execute("SELECT id FROM documents")}
        passages = db.execute("SELECT COUNT(*) FROM passages").fetchone()[0]
        if db.execute("SELECT COUNT(*) FROM passages WHERE doc_id NOT IN (SELECT id FROM documents)").fetchone()[0]:
            problems.append("passages without their document")
    config = json.loads((current / "config.json").read_text())
    vectors = faiss.read_index(str(current / config["vectors"]["file"]))
    if vectors.ntotal != passages:
        problems.append(f"FAISS holds {vectors.ntotal} vectors, the store {passages} passages")
    originals = {p.name for p in (data / "originals").iterdir()} if (data / "originals").is_dir() else set()
    if originals != stored:
        problems.append(f"originals {sorted(originals ^ stored)[:5]} without their document, or the reverse")
    leftovers = [p.name for p in data.glob("upload-*")] + [p.name for p in (data / "snapshots").glob(".build-*")]
    if leftovers and served is None:
        problems.append(f"temporaries left: {leftovers[:5]}")
    if served is not None:
        health = httpx.get(served.url + "/health", timeout=30)
        listed = {d["id"] for d in httpx.get(served.url + "/api/documents", timeout=30).json()["documents"]}
        if health.status_code != 200 or health.json()["index"]["passages"] != passages:
            problems.append(f"/health says {health.text[:100]}, the store {passages} passages")
        if listed != stored:
            problems.append(f"/api/documents {len(listed)} documents, the store {len(stored)}")
    return problems


# -- probes -----------------------------------------------------------------------------------------------
class Probe:
    def __init__(self, served: Served, deadline: float):
        self.served, self.deadline = served, deadline
        self.client = httpx.Client(base_url=served.url, timeout=120)
        self.statuses: Counter = Counter()
        self.rows: list[tuple[str, int, str, str]] = []      # probe, inputs, answers, verdict
        self.five_hundreds: list[str] = []

    def call(self, method: str, url: str, **kw) -> httpx.Response:
        r = self.client.request(method, url, **kw)
        self.statuses[r.status_code] += 1
        if r.status_code >= 500 and r.status_code != 503:
            self.five_hundreds.append(f"{method} {url[:60]} → {r.status_code}")
        return r

    def row(self, name: str, answers: list, ok: bool, why: str = "") -> None:
        counts = Counter(answers)
        said = ", ".join(f"{c}×{n}" if n > 1 else str(c) for c, n in sorted(counts.items(), key=str))
        self.rows.append((name, len(answers), said, "ok" if ok else f"FAIL {why}"))
        print(f"  {name:60s} {said:28s} {'ok' if ok else 'FAIL ' + why}", flush=True)

    def wait(self, job: dict, timeout: float = 600) -> dict:
        end = min(self.deadline, time.time() + timeout)
        while time.time() < end:
            state = self.call("GET", f"/api/jobs/{job['id']}", headers=AUTH).json()
            if state["status"] in ("terminé", "échec", "annulé"):
                return state
            time.sleep(0.3)
        return state

    def upload(self, name: str, content: bytes, metadata: str | None = None) -> httpx.Response:
        return self.call("POST", "/api/documents", files={"file": (name, content)}, headers=AUTH,
                         data={"metadata": metadata} if metadata is not None else None)

    def jobs(self) -> int:
        return len(self.call("GET", "/api/jobs", headers=AUTH).json()["jobs"])

    def codes_of(self, name: str, requests: list[tuple], want) -> None:
        answers = [self.call(m, u, **kw).status_code for m, u, kw in requests]
        self.row(name, answers, all(want(c) for c in answers), "unexpected answer")

    # -- the bugs --------------------------------------------------------------------------------
    def names(self) -> None:
        long = ["a" * 256, "é" * 200 + ".pdf", "a%00b.pdf", "..%2f..%2fetc%2fpasswd", "." * 300, "%ff" * 100]
        self.codes_of("1. long or odd names: /corpus/, /static/ (6 each)",
                      [("GET", f"/{where}/{n}", {}) for where in ("corpus", "static") for n in long],
                      lambda c: 400 <= c < 500)
        self.codes_of("1. long ids: /api/documents/{id} GET, DELETE; /api/related",
                      [("GET", "/api/documents/" + "a" * 5000, {}), ("DELETE", "/api/documents/" + "a" * 5000,
                                                                      {"headers": AUTH}),
                       ("GET", "/api/related?id=" + "a" * 5000, {})], lambda c: 400 <= c < 500)

    def page_parameters(self) -> None:
        odd = ["%C2%B2", "%C2%B9", "%E2%91%A0", "%D9%A3", "1e3", "-0", "%00", "9" * 40]
        self.codes_of("2. non-ASCII digits and odd numbers in sdg, k, page_min (page and API)",
                      [("GET", f"{path}?q=alliance&{p}={v}{frag}", {}) for path in ("/", "/api/search")
                       for p in ("sdg", "k", "page_min") for v in odd
                       for frag in (["", "&fragment=results"] if path == "/" else [""])],
                      lambda c: c in (200, 422))

    def metadata(self) -> None:
        bad = ["[" * 5000 + "]" * 5000, '{"a":' * 3000 + "1" + "}" * 3000,
               json.dumps({"tags": {"levers": ["hack"], "sdg": [99]}}), json.dumps({"title": 12345}),
               json.dumps({"title": "t" * 900_000}), json.dumps({"tags": {"entry_point": "roman"}}),
               json.dumps({"auteurs": [{"nom": "x"}]}), "null", "[]", '"texte"', "{", "\udcff".encode(
                   "utf-8", "surrogateescape").decode("latin-1")]
        before = self.jobs()
        answers = [self.upload("kit-meta.md", KIT.format(n="méta").encode(), m).status_code for m in bad]
        queued = self.jobs() - before
        self.row("3–4, W7. bad metadata (deep, unknown tags, types, 900 KB title)", answers,
                 all(c in (413, 422) for c in answers) and queued == 0, f"{queued} jobs queued")

    def long_text(self) -> None:
        """A text over spaCy's 1,000,000 characters: accepted, cut in pieces (the job passes the cutting
        step and reaches the embedding), then cancelled (W9) so the probe stays short."""
        words = ("Les habitants du quartier se retrouvent au tiers-lieu pour réparer des vélos, "
                 "cultiver le jardin partagé et monter des projets avec les associations. ")
        text = "\n\n".join(f"Séance {i}. " + words * 6 for i in range(1_200))     # one section, no heading
        r = self.upload("tres-long.txt", text.encode())
        answers, ok, why = [r.status_code], r.status_code == 202, "not accepted"
        if ok:
            job, end = r.json(), min(self.deadline, time.time() + 900)
            while time.time() < end:
                state = self.call("GET", f"/api/jobs/{job['id']}", headers=AUTH).json()
                step = (state.get("progress") or {}).get("step", "")
                if state["status"] in ("échec", "terminé") or step.startswith("vectorisation"):
                    break
                time.sleep(0.5)
            cut = step.startswith("vectorisation") or state["status"] == "terminé"
            cancel = self.call("DELETE", f"/api/jobs/{job['id']}", headers=AUTH).status_code
            answers.append(cancel)
            final = self.wait(job)
            listed = {d["id"] for d in self.call("GET", "/api/documents").json()["documents"]}
            # an accepted cancellation ends « annulé » with nothing added; a refused one (409: already
            # writing its snapshot) ends « terminé »
            ok = cut and ((cancel == 200 and final["status"] == "annulé" and "tres-long" not in listed)
                          or (cancel == 409 and final["status"] == "terminé"))
            why = f"DELETE {cancel}, {final['status']}: {final['message'][:80]}"
            self.row(f"5. {len(text):,} characters of text: cut in pieces, then cancelled (W9)", answers, ok, why)
            return
        self.row("5. text over 1,000,000 characters", answers, ok, why)

    def kill_during_write(self, rounds: int = 3) -> None:
        """6. An upload killed while its snapshot is written, at three delays; after a restart, the
        document is wholly there or wholly absent, nothing of it is left, its job says what happened."""
        answers, problems = [], []
        for i, delay in enumerate([0.0, 0.3, 1.0][:rounds]):
            name = f"kit-tue-{i}"
            r = self.upload(f"{name}.md", KIT.format(n=f"tué {i}").encode())
            answers.append(r.status_code)
            job = r.json()
            end = time.time() + 300
            while time.time() < end:
                state = self.call("GET", f"/api/jobs/{job['id']}", headers=AUTH).json()
                if "écriture" in state["message"] or state["status"] != "en cours" and state["status"] != "en attente":
                    break
                time.sleep(0.05)
            time.sleep(delay)
            self.served.kill()
            self.served.start()
            state = self.call("GET", f"/api/jobs/{job['id']}", headers=AUTH)
            answers.append(state.status_code)
            listed = {d["id"] for d in self.call("GET", "/api/documents").json()["documents"]}
            corpus = self.call("GET", f"/corpus/{name}.md").status_code
            if (name in listed) != (corpus == 200):
                problems.append(f"{name}: listed={name in listed}, /corpus {corpus}")
            if state.status_code != 200 or state.json()["status"] not in ("terminé", "échec"):
                problems.append(f"job after restart: {state.status_code} {state.text[:80]}")
            problems += consistency(self.served.data, self.served)
            if name in listed:
                answers.append(self.call("DELETE", f"/api/documents/{name}", headers=AUTH).status_code)
        self.row(f"6. kill -9 during the snapshot write ({rounds} delays), restart", answers, not problems,
                 "; ".join(problems)[:200])

    # -- weak points -------------------------------------------------------------------------------------
    def raw(self, head: bytes, parts=(), pause: float = 0.0, timeout: float = 60) -> tuple[bytes, float]:
        t = time.perf_counter()
        with socket.create_connection(("127.0.0.1", self.served.port), timeout=timeout) as s:
            s.sendall(head)
            try:
                for part in parts:
                    time.sleep(pause)
                    s.sendall(part)
            except OSError:
                pass
            answer = b""
            try:
                while chunk := s.recv(65536):
                    answer += chunk
            except (TimeoutError, ConnectionResetError):
                pass
        code = int(answer.split(b" ", 2)[1]) if answer.startswith(b"HTTP/1.1 ") else 0
        self.statuses[code] += 1
        if code >= 500 and code != 503:
            self.five_hundreds.append(f"raw {head[:40]!r} → {code}")
        return answer, time.perf_counter() - t

    def early_refusals(self) -> None:
        head = ("POST /api/documents HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: multipart/form-data; "
                "boundary=b\r\nContent-Length: 300000000\r\n{auth}\r\n")
        a, ta = self.raw(head.format(auth="").encode(), timeout=30)
        b, tb = self.raw(head.format(auth=f"Authorization: {AUTH['Authorization']}\r\n").encode(), timeout=30)
        ok = a.startswith(b"HTTP/1.1 401") and b.startswith(b"HTTP/1.1 413") and max(ta, tb) < 5
        self.row(f"W1. 300 MB declared, nothing sent: 401 / 413 in {ta:.2f} / {tb:.2f} s",
                 [a[9:12].decode(), b[9:12].decode()], ok)

    def smuggling(self) -> None:
        cases = {
            "two Content-Length": "Content-Length: 5\r\nContent-Length: 40\r\n",
            "Content-Length + chunked": "Content-Length: 5\r\nTransfer-Encoding: chunked\r\n",
            "chunked twice": "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n",
            "negative Content-Length": "Content-Length: -1\r\n",
            "Content-Length with sign": "Content-Length: +5\r\n",
        }
        smuggled = b"GET /api/jobs HTTP/1.1\r\nHost: x\r\n\r\n"
        answers, ok = [], True
        for headers in cases.values():
            head = (f"POST /api/related HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n{headers}\r\n"
                    ).encode() + b"0\r\n\r\n" + smuggled
            answer, _ = self.raw(head, timeout=10)
            codes = [line[9:12].decode() for line in answer.split(b"\r\n") if line.startswith(b"HTTP/1.1 ")]
            answers.append("+".join(codes) or "closed")
            ok &= all(c.startswith("4") for c in codes) and b"jobs" not in answer    # the 2nd request never ran
        self.row("smuggling: conflicting Content-Length / Transfer-Encoding (5)", answers, ok, "answered a smuggled one")

    def slow_loris(self) -> None:
        head = ("POST /api/related HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                "Content-Length: 2000\r\n\r\n").encode()
        answer, took = self.raw(head, [b'{"text": "'] + [b"a"] * 3, pause=8, timeout=120)
        code = answer[9:12].decode() or "closed"
        # idle 20 s at most between two pieces of a body (api/guard.py): pieces every 8 s, the last at 32 s,
        # then silence: 408 at 52 s; the connection closes 5 s later (uvicorn's keep-alive): 57 s measured
        self.row(f"slow-loris body (a byte every 8 s, then silence): cut after {took:.0f} s", [code],
                 code == "408" and took < 70, "not bounded")
        sockets = []
        for _ in range(50):               # fifty connections that never finish their headers
            s = socket.create_connection(("127.0.0.1", self.served.port), timeout=5)
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: ")
            sockets.append(s)
        t = time.perf_counter()
        health = self.call("GET", "/health").status_code
        took = time.perf_counter() - t
        for s in sockets:
            s.close()
        self.row(f"50 unfinished headers held open: /health in {took:.2f} s", [health], health == 200 and took < 5)

    def auth_budget(self) -> None:
        wrong = [self.call("POST", "/api/reindex", headers={"Authorization": "Bearer faux"}).status_code
                 for _ in range(15)]
        right = self.call("GET", "/api/jobs", headers={"Authorization": f"bEaReR {TOKEN}"}).status_code
        self.row("W2, W11. 15 wrong tokens, then the right one (scheme in any case)", wrong + [right],
                 right == 200 and set(wrong) <= {401, 429})

    def forwarded(self, most: int = 3000) -> None:
        """Requests of the search budget, each under a new X-Forwarded-For, until one is limited: believed,
        that header would give each its own budget. A cheap request (an unknown document, 404) outpaces the
        budget's refill (20 a second); searches one after the other need not (260 of them were never limited)."""
        answers = []
        while len(answers) < most and (not answers or answers[-1].status_code != 429):
            i = len(answers)
            answers.append(self.call("GET", f"/api/documents/inconnu-{i}",
                                     headers={"X-Forwarded-For": f"10.{random.randrange(256)}.{i % 256}.1",
                                              "Origin": ORIGIN}))
        limited = [r for r in answers if r.status_code == 429]
        ok = bool(limited) and all(r.headers.get("access-control-allow-origin") == ORIGIN for r in limited)
        self.row(f"W3, W4. requests with random X-Forwarded-For: limited after {len(answers) - 1}, the 429 readable "
                 f"by the widget", [r.status_code for r in answers], ok, "not limited or no CORS")
        time.sleep(12)                   # the search budget refills before the next probes

    def files(self) -> None:
        import pypdf

        sys.path.insert(0, str(REPO / "tests"))
        from pdfgen import make_pdf

        tmp = Path(tempfile.mkdtemp(prefix="probe-files-"))
        writer = pypdf.PdfWriter(clone_from=str(make_pdf(tmp / "c.pdf", [["Un texte en clair, assez long."]])))
        writer.encrypt(user_password="", owner_password="x", algorithm="AES-256")
        with open(tmp / "aes.pdf", "wb") as handle:
            writer.write(handle)
        aes = self.upload("aes.pdf", (tmp / "aes.pdf").read_bytes())
        self.row("W5. AES-256 PDF", [aes.status_code], aes.json()["error"]["code"] == "encrypted_pdf")
        text = KIT.format(n="doublon")
        first = self.upload("evil-uni.md", text.encode())
        self.wait(first.json())
        copies = [self.upload("copie.md", c.encode()) for c in ("\ufeff" + text.replace("\n", "\r\n"), text + "\n\n")]
        clash = self.upload("ÉVIL ÜNÏ.TXT", KIT.format(n="autre").encode())
        kept = self.call("GET", "/corpus/evil-uni.md").text == text
        self.row("W6. CRLF+BOM copy, extra newlines; « ÉVIL ÜNÏ.TXT » against evil-uni.md",
                 [c.status_code for c in copies] + [clash.status_code],
                 [c.status_code for c in copies] == [409, 409] and clash.status_code == 409 and kept)
        short = self.upload("court.md", "# Court\n\nTrois mots seulement.".encode())
        self.row("W8. a text of 5 words", [short.status_code], short.status_code == 422
                 and short.json()["error"]["code"] == "too_short")
        odd = [self.upload(n, c).status_code for n, c in [
            ("vide.md", b""), ("blanc.md", b" \n\t "), ("binaire.md", bytes(range(256)) * 20), ("../../etc/passwd", b"x"),
            ("a" * 400 + ".md", KIT.format(n="nom long").encode()), ("nul%00.md", KIT.format(n="nul").encode()),
            ("faux.pdf", b"%PDF-1.4\n" + os.urandom(2000)), ("zip.docx", b"PK\x03\x04" + os.urandom(500))]]
        self.row("odd uploads: empty, blank, binary, traversal, 400-char and %00 names, fake PDF, fake DOCX",
                 odd, all(c < 500 for c in odd))

    def docs(self) -> None:
        page = self.call("GET", "/docs")
        outside = [w for w in ("cdn.jsdelivr", "unpkg.com", "<script") if w in page.text]
        self.row("W10. /docs without a CDN or a script", [page.status_code], page.status_code == 200 and not outside,
                 str(outside))

    def burst(self, n: int = 100) -> None:
        def one(i: int) -> tuple[int, dict | None]:
            r = self.upload(f"rafale-{i:03d}.md", KIT.format(n=f"rafale {i} {random.random()}").encode())
            return r.status_code, (r.json() if r.status_code == 202 else None)

        with concurrent.futures.ThreadPoolExecutor(16) as pool:
            results = list(pool.map(one, range(n)))
        finals = [self.wait(job, timeout=1200)["status"] for _, job in results if job]
        listed = {d["id"] for d in self.call("GET", "/api/documents").json()["documents"]}
        added = sum(f"rafale-{i:03d}" in listed for i in range(n))
        ok = finals.count("terminé") == added == sum(c == 202 for c, _ in results)
        self.row(f"{n}-file upload burst, 16 at a time: {added} indexed", [c for c, _ in results] + finals, ok,
                 f"{added} listed, {Counter(finals)}")

    def searches(self) -> None:
        queries = ["", " ", "a" * 10_001, "%", "\u202e", "🙂" * 500, "SELECT * FROM passages", "<script>", "\\", "\u0000"]
        self.codes_of("odd questions, k=0/51, page_min=10^12, /api/tag and /api/related bodies",
                      [("GET", "/api/search", {"params": {"q": q}}) for q in queries]
                      + [("GET", "/api/search", {"params": {"q": "x", "k": k}}) for k in (0, 51, -1, "a")]
                      + [("GET", "/api/search", {"params": {"q": "x", "page_min": 10 ** 12}}),
                         ("POST", "/api/tag", {"json": {"text": ""}}), ("POST", "/api/tag", {"content": b"{"}),
                         ("POST", "/api/related", {"json": {"text": "x" * 100_001}}),
                         ("POST", "/api/related", {"content": b"[" * 100_000, "headers": {"content-type":
                                                                                         "application/json"}})],
                      lambda c: c < 500)


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default=str(REPO / "data" / "bundled"))
    ap.add_argument("--minutes", type=float, default=20)
    ap.add_argument("--port", type=int, default=8765)
    ap.add_argument("--skip-kills", action="store_true")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="probe-"))
    data = work / "data"
    shutil.copytree(args.data_dir, data, ignore=shutil.ignore_patterns("cache"))
    served = Served(data, args.port, {"CATALYSE_EDITOR_TOKEN": TOKEN, "CATALYSE_CORS_ORIGINS": ORIGIN,
                                      "CATALYSE_SEARCH_RATE": "20", "CATALYSE_EDITOR_RATE": "50",
                                      "CATALYSE_MAX_UPLOAD_MB": "5", "HF_HUB_OFFLINE": "1"})
    started = time.time()
    deadline = started + args.minutes * 60
    served.start()
    probe = Probe(served, deadline)
    steps = [probe.names, probe.page_parameters, probe.metadata, probe.early_refusals, probe.smuggling,
             probe.auth_budget, probe.docs, probe.searches, probe.files, probe.slow_loris, probe.forwarded,
             *([] if args.skip_kills else [probe.kill_during_write]), probe.long_text, probe.burst]
    print(f"probing {served.url} (data copied to {data})", flush=True)
    try:
        for step in steps:
            if time.time() > deadline:
                probe.rows.append((step.__name__, 0, "", "not run: time is up"))
                continue
            try:
                step()
            except Exception as exc:   # a probe that breaks is a finding, not the end of the run
                probe.rows.append((step.__name__, 0, "", f"FAIL {type(exc).__name__}: {exc}"[:200]))
                print(f"  {step.__name__}: {type(exc).__name__}: {exc}", flush=True)
        problems = consistency(data, served)
    finally:
        served.stop()
    problems += consistency(data)       # stopped: no temporary may be left
    total = sum(probe.statuses.values())
    print(f"\n| probe | inputs | answers | result |\n|---|---|---|---|")
    for name, n, said, verdict in probe.rows:
        print(f"| {name} | {n} | {said} | {verdict} |")
    print(f"\n{total} requests in {time.time() - started:.0f} s; answers: "
          + ", ".join(f"{c}×{n}" for c, n in sorted(probe.statuses.items())))
    print(f"answers ≥ 500 (503 aside: a restarting service): {len(probe.five_hundreds)} {probe.five_hundreds[:5]}")
    print(f"failed probes: {sum(not r[3].startswith('ok') for r in probe.rows)}; data: "
          + ("consistent (documents, store, FAISS, originals, no temporary left)" if not problems
             else "INCONSISTENT: " + "; ".join(problems)))
    shutil.rmtree(work, ignore_errors=True)
    return 1 if probe.five_hundreds or problems or any(r[3].startswith("FAIL") for r in probe.rows) else 0


if __name__ == "__main__":
    sys.exit(main())
