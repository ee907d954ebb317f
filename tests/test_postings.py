"""The lexical index: its BM25 must equal SQLite FTS5's bm25() with the same column weights over
the same analysed text (the reference implementation), on the real proceedings' passages."""
import sqlite3

import numpy as np
import pytest

from index.analysis import analyse, words
from index.postings import HEADER_WEIGHT, WORDS_WEIGHT, Postings
from search.evaluation import load_queries

from conftest import DEV_QUERIES


@pytest.fixture(scope="module")
def texts(ingested):
    return [p.text for p in ingested.passages], ingested.headers


def fts5_reference(texts, headers, vids, query):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(terms, header, words, tokenize=\"unicode61 remove_diacritics 0 tokenchars '.'\")")
    db.executemany("INSERT INTO t(rowid, terms, header, words) VALUES (?,?,?,?)",
                   [(v, " ".join(analyse(x)), " ".join(analyse(h)), " ".join(words(f"{h} {x}")))
                    for v, x, h in zip(vids, texts, headers)])
    terms, exact = sorted(set(analyse(query))), sorted(set(words(query)))
    match = ("({terms header} : (" + " OR ".join(f'"{t}"' for t in terms) + ")) OR words : ("
             + " OR ".join(f'"{w}"' for w in exact) + ")")
    rank = f"bm25(t, 1.0, {HEADER_WEIGHT}, {WORDS_WEIGHT})"
    return dict(db.execute(f"SELECT rowid, -{rank} FROM t WHERE t MATCH ?", [match]))


def test_bm25_equals_fts5_on_the_proceedings(texts):
    passages, headers = texts
    vids = [3 * i + 1 for i in range(len(passages))]
    postings = Postings()
    postings.add(vids[:100], passages[:100], headers[:100])       # in two appends, as edits do
    postings.add(vids[100:], passages[100:], headers[100:])
    for q in [q["query"] for q in load_queries(DEV_QUERIES)][:12]:
        expected = fts5_reference(passages, headers, vids, q)
        scores = postings.scores(analyse(q), words(q))
        got = {int(postings.vids[r]): float(scores[r]) for r in np.flatnonzero(scores)}
        assert got.keys() == expected.keys(), q
        for vid, score in expected.items():
            assert got[vid] == pytest.approx(score, rel=1e-4, abs=1e-6), (q, vid)


def test_removal_and_reload_keep_scores_right(texts, tmp_path):
    passages, headers = texts
    vids = list(range(len(passages)))
    postings = Postings()
    postings.add(vids, passages, headers)
    gone = vids[::3]
    postings.remove(gone)
    kept = [v for v in vids if v not in set(gone)]
    config = postings.save(tmp_path, "lexical")
    loaded = Postings.load(tmp_path, config)
    q = "Comment mobiliser les entreprises du territoire autour des ODD ?"
    expected = fts5_reference([passages[v] for v in kept], [headers[v] for v in kept], kept, q)
    scores = loaded.scores(analyse(q), words(q))
    got = {int(loaded.vids[r]): float(scores[r]) for r in np.flatnonzero(scores)}
    assert got.keys() == expected.keys() and not got.keys() & set(gone)
    assert all(got[v] == pytest.approx(s, rel=1e-4) for v, s in expected.items())
    with pytest.raises(AssertionError):
        loaded.add([0], ["trop tard"], [""])                    # ids only grow: rows stay sorted by id
