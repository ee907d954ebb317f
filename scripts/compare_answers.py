"""What the service answers to the evaluation questions, as canonical JSON, to show that a
refactor changes no behaviour.

    python scripts/compare_answers.py --data-dir data/bundled --out before.json [--eval-dir ../shared/eval]
    python scripts/compare_answers.py --compare before.json after.json     # exit 1 on any difference

The questions are every line of shared/eval's dev-queries.jsonl, dev-queries-2.jsonl and
nonsense-queries.jsonl, each asked through the real routes (in process, over the ASGI app) with
several filter combinations; plus the related resources of each question's first result, the tags
suggested for each question, the page's results fragment, the documents and the index's stats.
Timings are dropped; everything else is compared exactly. The data directory is not changed."""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
EVAL = REPO.parent / "shared" / "eval"
QUESTION_FILES = ("dev-queries.jsonl", "dev-queries-2.jsonl", "nonsense-queries.jsonl")

# URL parameters of the public API, each combination asked for every question
FILTERS: dict[str, list[tuple[str, str]]] = {
    "none": [],
    "k5": [("k", "5")],
    "testimonies": [("entry_point", "temoignage")],
    "lever+trade": [("lever", "alliance"), ("trade", "accompagnement")],
    "sdg+pages": [("sdg", "8"), ("sdg", "11"), ("page_min", "20"), ("page_max", "40")],
    "doc+lang": [("doc", "actes-6e-rencontre-2020"), ("lang", "fr")],
    "several": [("entry_point", "eclairage"), ("entry_point", "methode"), ("lever", "numerique"),
                ("lever", "evaluer")],
}
TOOK = re.compile(r'<span class="took">\([^)]*\)</span>')


def _questions(folder: Path) -> list[dict]:
    out = []
    for name in QUESTION_FILES:
        for line in (folder / name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line)
                out.append({"file": name, "id": q["id"], "query": q["query"]})
    return out


def _drop_timings(value):
    if isinstance(value, dict):
        return {k: _drop_timings(v) for k, v in value.items() if k != "took_ms"}
    if isinstance(value, list):
        return [_drop_timings(v) for v in value]
    return value


def _client(data_dir: Path):
    """The real app over ``data_dir``, started and ready (no rate limits)."""
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.context import Context
    from api.service import Service, ServiceConfig
    from ingest.settings import Settings, apply_thread_settings

    apply_thread_settings()
    service = Service(Context(Settings(data_dir=data_dir)), ServiceConfig(search_rate=0, editor_rate=0))
    client = TestClient(create_app(service))
    client.__enter__()
    deadline = time.time() + 600
    while not service.ready.is_set():
        if service.failure or time.time() > deadline:
            raise SystemExit(f"the service did not start: {service.status}")
        time.sleep(0.2)
    return client


def _json(response) -> dict:
    return {"status": response.status_code, "body": _drop_timings(response.json())}


def dump(data_dir: Path, eval_dir: Path = EVAL) -> dict:
    client = _client(data_dir)
    out: dict = {"questions": {}, "documents": None, "stats": None}
    for q in _questions(eval_dir):
        key = f"{q['file']}:{q['id']}"
        asked = {}
        for name, params in FILTERS.items():
            asked[name] = _json(client.get("/api/search", params=[("q", q["query"]), *params]))
        first = next(iter(asked["none"]["body"].get("results", [])), None)
        related = (_json(client.get("/api/related", params={"id": first["id"], "k": 5})) if first else None)
        page = client.get("/", params=[("q", q["query"]), ("fragment", "results"), ("entry_point", "temoignage")])
        out["questions"][key] = {
            "query": q["query"], "search": asked, "related": related,
            "related_text": _json(client.post("/api/related", json={"text": q["query"], "k": 3})),
            "tag": _json(client.post("/api/tag", json={"text": q["query"]})),
            "page": {"status": page.status_code, "html": TOOK.sub("", page.text)},
        }
    out["documents"] = _json(client.get("/api/documents"))
    out["stats"] = _json(client.get("/health"))
    client.__exit__(None, None, None)
    return out


def differences(a, b, path: str = "") -> list[str]:
    """Where two dumps differ, as readable paths (the first few hundred)."""
    if type(a) is not type(b):
        return [f"{path}: {a!r:.120} ≠ {b!r:.120}"]
    if isinstance(a, dict):
        out = [f"{path}/{k}: only in {'first' if k in a else 'second'}" for k in sorted(set(a) ^ set(b))]
        for k in a:
            if k in b:
                out += differences(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list):
        out = [f"{path}: {len(a)} items ≠ {len(b)}"] if len(a) != len(b) else []
        for i, (x, y) in enumerate(zip(a, b)):
            out += differences(x, y, f"{path}[{i}]")
        return out
    if isinstance(a, str) and a != b:       # show where two long texts part
        at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
        return [f"{path} at {at}: {a[max(0, at - 40):at + 80]!r} ≠ {b[max(0, at - 40):at + 80]!r}"]
    return [] if a == b else [f"{path}: {a!r:.120} ≠ {b!r:.120}"]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--data-dir", type=Path, help="the index to question (read only)")
    p.add_argument("--eval-dir", type=Path, default=EVAL, help="folder of the question files (default: ../shared/eval)")
    p.add_argument("--out", type=Path, help="where to write the dump (default: stdout)")
    p.add_argument("--compare", nargs=2, type=Path, metavar=("A.json", "B.json"))
    args = p.parse_args(argv)
    if args.compare:
        a, b = (json.loads(path.read_text(encoding="utf-8")) for path in args.compare)
        found = differences(a, b)
        for line in found[:300]:
            print(line)
        print(f"{len(found)} differences" if found else "identical", file=sys.stderr)
        return 1 if found else 0
    if not args.data_dir:
        p.error("--data-dir or --compare is needed")
    if os.environ.get("PYTHONHASHSEED") != "0":
        # the overview's organisations tie-break in set order, which string hashing randomises per process
        os.execve(sys.executable, [sys.executable, *sys.argv], {**os.environ, "PYTHONHASHSEED": "0"})
    text = json.dumps(dump(args.data_dir, args.eval_dir), ensure_ascii=False, sort_keys=True, indent=1)
    if args.out:
        args.out.write_text(text + "\n", encoding="utf-8")
    else:
        print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
