"""A bounded fuzzing run of the PDF reading path (hypothesis): mutated proceedings and generated
PDFs, truncations, byte flips, spliced chunks, deeply nested objects and a decompression bomb go
through the bounded reader. Every input must end as a document or a clear ``UnreadableDocument``
within the time and memory bounds — any other outcome is a bug.

    python bench/fuzz_pdf.py [--minutes 3] [--seed 0]
"""
import argparse
import collections
import sys
import tempfile
import time
import zlib
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests"))

from ingest.bounded import read_bounded  # noqa: E402
from ingest.errors import UnreadableDocument  # noqa: E402
from pdfgen import make_pdf  # noqa: E402

WORK = Path(tempfile.mkdtemp(prefix="fuzz-pdf-"))
SEEDS = [(REPO / "corpus" / "actes-6e-rencontre-2020.pdf").read_bytes(),
         make_pdf(WORK / "small.pdf", [["Un petit PDF : alliances et territoires."], ["Page deux."]]).read_bytes()]


def nested(depth: int) -> bytes:
    body = b"[" * depth + b"]" * depth
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R /X " + body + b" >> endobj\n2 0 obj << /Type /Pages "
            b"/Kids [] /Count 0 >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF")


def bomb(megabytes: int) -> bytes:
    stream = zlib.compress(b"BT /F1 12 Tf (" + b"A" * (megabytes * 1024 * 1024) + b") Tj ET", 9)
    return (b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [3 0 R] "
            b"/Count 1 >> endobj\n3 0 obj << /Type /Page /Parent 2 0 R /Contents 4 0 R /Resources << /Font << /F1 5 0 R"
            b" >> >> >> endobj\n" + b"4 0 obj << /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream +
            b"\nendstream endobj\n5 0 obj << /Type /Font /Subtype /Type1 /BaseFont /Helvetica >> endobj\n"
            b"trailer << /Root 1 0 R >>\n%%EOF")


def mutate(data: bytes, ops) -> bytes:
    out = bytearray(data)
    for kind, position, value in ops:
        if not out:
            break
        i = position % len(out)
        if kind == "flip":
            out[i] ^= 1 << (value % 8)
        elif kind == "truncate":
            del out[i:]
        elif kind == "delete":
            del out[i:i + value % 512]
        else:  # splice a chunk of the file elsewhere
            j = value % len(out)
            out[i:i] = out[j:j + 256]
    return bytes(out)


OPS = st.lists(st.tuples(st.sampled_from(["flip", "truncate", "delete", "splice"]), st.integers(0, 10**7),
                         st.integers(0, 10**6)), min_size=1, max_size=8)
STATS = collections.Counter()
TIMES = []
BUGS = []


def run(data: bytes, label: str) -> None:
    path = WORK / "input.pdf"
    path.write_bytes(data)
    t = time.perf_counter()
    try:
        doc = read_bounded(path, timeout=20, memory_mb=768)
        STATS[f"read ({label})"] += 1
        assert doc.pages >= 1
    except UnreadableDocument as exc:
        STATS[f"refused: {exc.code}"] += 1
    except Exception as exc:  # anything else is a bug
        BUGS.append((label, repr(exc)))
        STATS["BUG"] += 1
    TIMES.append(time.perf_counter() - t)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=3)
    ap.add_argument("--seed", type=int, default=0)
    args = ap.parse_args()
    deadline = time.time() + args.minutes * 60
    for depth in (100, 1000, 100_000):
        run(nested(depth), f"nesting {depth}")
    for mb in (50, 400):
        run(bomb(mb), f"bomb {mb} MB")

    @settings(max_examples=100_000, deadline=None, database=None, derandomize=False,
              suppress_health_check=list(HealthCheck))
    @given(st.sampled_from(range(len(SEEDS))), OPS)
    def fuzz(seed_index, ops):
        if time.time() > deadline:
            return
        run(mutate(SEEDS[seed_index], ops), "mutated")

    try:
        fuzz()
    except Exception as exc:  # hypothesis re-raises the first bug found
        BUGS.append(("hypothesis", repr(exc)))
    total = sum(STATS.values())
    print(f"inputs tried: {total} in {args.minutes:g} min; outcomes: {dict(STATS)}")
    print(f"seconds per input: median {sorted(TIMES)[len(TIMES) // 2]:.2f}, max {max(TIMES):.2f} (bound 20 s)")
    print(f"bugs (outcomes other than a document or a clear refusal): {len(BUGS)}")
    for bug in BUGS[:10]:
        print("  ", bug)
    sys.exit(1 if BUGS else 0)


if __name__ == "__main__":
    main()
