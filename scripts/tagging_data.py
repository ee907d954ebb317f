"""Report on the labelled tagging set: label counts per facet and source, and the agreement between
the labels and a second, blind labelling of a sample.

    python scripts/tagging_data.py                       # counts
    python scripts/tagging_data.py --agreement FILE      # agreement with a second pass (JSONL of
                                                         # {"id", "levers", "sdg", "trades", "entry_point"})
    python scripts/tagging_data.py --quoted FILE         # agreement with another annotator's labels of
                                                         # proceedings passages named by a quote
                                                         # (tests/data/tagging_sample.jsonl; null = not judged)

Agreement per facet: for the entry point, the share of identical labels and Cohen's kappa; for the
multi-label facets (levers, ODD, trades), the mean Jaccard index per passage (two empty sets agree),
the micro-averaged F1 of the second pass against the first, and the share of identical sets. The
disagreements are listed so that they can be reconciled by the guide (docs/tagging-guide.md).
"""
import argparse
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path

LABELLED = Path(__file__).resolve().parent.parent / "ingest" / "taxonomy" / "labelled" / "labelled.jsonl"
MULTI = ("levers", "sdg", "trades")


def load(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def counts(rows: list[dict]) -> dict[str, Counter]:
    out: dict[str, Counter] = {}
    for facet in MULTI + ("entry_point",):
        c: Counter = Counter()
        for r in rows:
            for label in (r[facet] if facet in MULTI else [r[facet]]):
                c[(label, r["source"])] += 1
        out[facet] = c
    return out


def cohen_kappa(a: list[str], b: list[str]) -> float:
    n = len(a)
    observed = sum(x == y for x, y in zip(a, b)) / n
    ca, cb = Counter(a), Counter(b)
    expected = sum(ca[k] * cb[k] for k in ca) / (n * n)
    return (observed - expected) / (1 - expected) if expected < 1 else 1.0


def multi_agreement(first: list[set], second: list[set]) -> dict[str, float]:
    jaccard = [1.0 if not (x | y) else len(x & y) / len(x | y) for x, y in zip(first, second)]
    tp = sum(len(x & y) for x, y in zip(first, second))
    fp = sum(len(y - x) for x, y in zip(first, second))
    fn = sum(len(x - y) for x, y in zip(first, second))
    return {"jaccard": sum(jaccard) / len(jaccard), "micro_f1": 2 * tp / (2 * tp + fp + fn) if tp else 0.0,
            "identical": sum(x == y for x, y in zip(first, second)) / len(first)}


def flat(text: str) -> str:
    """Text compared by quote: composed accents, one apostrophe, single spaces."""
    text = unicodedata.normalize("NFC", text).replace("\u2019", "'")
    return re.sub(r"\s+", " ", text).strip()


def by_quote(rows: list[dict], quoted: list[dict]) -> list[dict]:
    """Give each quoted judgement the id of the one proceedings passage holding its quote."""
    out = []
    for q in quoted:
        hits = [r["id"] for r in rows if r["source"] == "proceedings" and flat(q["quote"]) in flat(r["text"])]
        if len(hits) != 1:
            raise SystemExit(f"quote found in {len(hits)} passages: {q['quote']!r}")
        out.append({**q, "id": hits[0]})
    return out


def agreement(rows: list[dict], second: list[dict]) -> tuple[dict, list[str]]:
    """Agreement of ``second`` with the labelled rows; a facet set to null in ``second`` is not judged."""
    by_id = {r["id"]: r for r in rows}
    pairs = [(by_id[s["id"]], s) for s in second]
    report: dict = {"n": len(pairs)}
    firsts = [p["entry_point"] for p, _ in pairs]
    seconds = [s["entry_point"] for _, s in pairs]
    report["entry_point"] = {"agreement": sum(x == y for x, y in zip(firsts, seconds)) / len(pairs),
                             "kappa": cohen_kappa(firsts, seconds)}
    diffs = []
    for facet in MULTI:
        judged = [(p, s) for p, s in pairs if s[facet] is not None]
        report[facet] = {"n": len(judged), **multi_agreement([set(p[facet]) for p, _ in judged],
                                                              [set(s[facet]) for _, s in judged])}
    for p, s in pairs:
        for facet in MULTI:
            if s[facet] is None:
                continue
            a, b = set(p[facet]), set(s[facet])
            if a != b:
                diffs.append(f"{p['id']} {facet}: only first {sorted(a - b, key=str)}, only second {sorted(b - a, key=str)}")
        if p["entry_point"] != s["entry_point"]:
            diffs.append(f"{p['id']} entry_point: first {p['entry_point']}, second {s['entry_point']}")
    return report, diffs


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--labelled", type=Path, default=LABELLED)
    ap.add_argument("--agreement", type=Path, help="a second pass to compare with")
    ap.add_argument("--quoted", type=Path, help="another annotator's labels of passages named by a quote")
    args = ap.parse_args()
    rows = load(args.labelled)
    sources = sorted({r["source"] for r in rows})
    print(f"{len(rows)} passages: " + ", ".join(f"{sum(r['source'] == s for r in rows)} {s}" for s in sources))
    for facet, c in counts(rows).items():
        labels = sorted({label for label, _ in c}, key=lambda x: (isinstance(x, str), x))
        print(f"\n{facet}: " + " / ".join(sources))
        for label in labels:
            print(f"  {label!s:16} " + " ".join(f"{c[(label, s)]:4d}" for s in sources))
    for path, second in ((args.agreement, lambda p: load(p)), (args.quoted, lambda p: by_quote(rows, load(p)))):
        if not path:
            continue
        report, diffs = agreement(rows, second(path))
        print(f"\nagreement with {path.name} on {report['n']} passages")
        ep = report["entry_point"]
        print(f"  entry_point: agreement {ep['agreement']:.2f}, Cohen's kappa {ep['kappa']:.2f}")
        for facet in MULTI:
            m = report[facet]
            print(f"  {facet:11}: mean Jaccard {m['jaccard']:.2f}, micro-F1 {m['micro_f1']:.2f}, "
                  f"identical sets {m['identical']:.2f} (n={m['n']})")
        print("\ndisagreements:")
        for d in diffs:
            print("  " + d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
