"""A bounded load test over loopback: C concurrent clients (default 8), each with a keep-alive
connection, ask a fixed number of distinct questions in total (none repeated: every search
embeds its question), then the same with a share of repeated questions, as users retype.

    python bench/load_test.py [--data-dir data] [--clients 8] [--requests 400]

Prints throughput (searches per second) and latency percentiles.
"""
import argparse
import http.client
import json
import random
import statistics
import sys
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.serving import percentile, questions, service  # noqa: E402


def run(base: str, asked: list[str], clients: int) -> tuple[float, list[float]]:
    host, port = base.removeprefix("http://").split(":")
    latencies: list[float] = []
    lock = threading.Lock()
    todo = iter(asked)

    def client():
        conn = http.client.HTTPConnection(host, int(port), timeout=120)
        while True:
            with lock:
                q = next(todo, None)
            if q is None:
                break
            started = time.perf_counter()
            conn.request("GET", "/api/search?" + urllib.parse.urlencode({"q": q}))
            response = conn.getresponse()
            body = response.read()
            assert response.status == 200 and "results" in json.loads(body), response.status
            with lock:
                latencies.append((time.perf_counter() - started) * 1000)
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return len(asked) / (time.perf_counter() - started), latencies


def report(name: str, throughput: float, latencies: list[float]) -> None:
    print(f"{name:<28} {throughput:6.1f} searches/s   p50 {statistics.median(latencies):6.1f} ms   "
          f"p95 {percentile(latencies, 95):6.1f} ms   p99 {percentile(latencies, 99):6.1f} ms")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", default="data")
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--requests", type=int, default=400)
    args = ap.parse_args()
    pool = questions(args.requests * 2 + 20)
    warm, distinct, other = pool[:20], pool[20:20 + args.requests], pool[20 + args.requests:]
    # half new questions, half questions asked before (from the same run)
    mixed = other[: args.requests // 2] + random.Random(0).choices(other[: args.requests // 2], k=args.requests // 2)
    random.Random(1).shuffle(mixed)
    with service(args.data_dir) as (base, _):
        run(base, warm, 2)
        print(f"{args.clients} clients, {args.requests} searches per run, {args.data_dir}")
        report("distinct questions", *run(base, distinct, args.clients))
        report("half repeated questions", *run(base, mixed, args.clients))


if __name__ == "__main__":
    main()
