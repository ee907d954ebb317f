"""Process-wide settings are the running command's to apply, once: importing a module changes none."""
import json
import os
import subprocess
import sys

from conftest import REPO

PROBE = ("import json, os, sys; import faiss, torch; "
         "print(json.dumps([torch.get_num_threads(), faiss.omp_get_max_threads(), "
         "os.environ.get('TOKENIZERS_PARALLELISM')]))")


def python(code: str, **env) -> list:
    """Run ``code`` in a fresh interpreter whose OpenMP default is one thread, and read its JSON."""
    clean = {k: v for k, v in os.environ.items() if k not in ("OMP_NUM_THREADS", "TOKENIZERS_PARALLELISM")}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300, cwd=REPO,
                          env={**clean, "OMP_NUM_THREADS": "1", "PYTHONPATH": str(REPO), **env})
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_importing_the_layers_changes_no_thread_setting():
    untouched = python(PROBE)
    assert untouched == [1, 1, None]
    imported = python("import index.vectors, ingest.embedder, api.app, search.searcher; " + PROBE)
    assert imported == untouched


def test_the_command_applies_them_before_or_after_the_libraries_load():
    before = python("from ingest.settings import apply_thread_settings; apply_thread_settings(2); " + PROBE)
    after = python("import faiss, torch; from ingest.settings import apply_thread_settings; "
                   "apply_thread_settings(2); " + PROBE)
    assert before == after == [2, 2, "false"]


def test_the_cli_applies_them_at_start_up(tmp_path):
    ran = python(f"from api.cli import main; main(['--data-dir', {str(tmp_path / 'vide')!r}, 'stats']); " + PROBE)
    assert ran == [2, 2, "false"]


def test_nothing_reaches_into_an_objects_attributes_to_swap_its_parts():
    """A Context takes its model as an argument: no test, benchmark or script overwrites it in place."""
    reach = [f"{path.relative_to(REPO)}:{n}" for folder in ("api", "bench", "index", "ingest", "scripts", "search",
                                                           "tests")
             for path in (REPO / folder).rglob("*.py")
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
             if ".__dict__[" in line and "self.__dict__" not in line]
    assert not reach, reach
