"""``catalyse backup`` and ``catalyse restore``: a data directory in one self-describing archive.

An archive is a tar file whose first member, ``catalyse-backup.json``, says what it holds: what it
is (``"archive": "catalyse-backup"``; ``"kind"`` in archives made before API 0.3.0, still read), the
archive format, the index format and model, and every file's size and SHA-256. It holds

- ``snapshot/``: the current snapshot (immutable once published, so read without any lock);
- ``originals/``: for each document of that snapshot, its stored original and metadata (the
  editors' corrections), each original checked against the SHA-256 the snapshot recorded for it —
  so the two agree even while an edit runs (a mismatch means the snapshot was switched meanwhile:
  the backup starts again from the new one, or at last waits for the edit);
- ``records/``: the service's other records at the top of the data directory (the question log,
  the editors' job records, …), SQLite databases copied through SQLite's backup API.

Not kept: older snapshots, the embedding cache (rebuilt as needed), temporary uploads, locks.
Restoring checks everything (format, model, checksums, the snapshot loads) in a folder beside
the data, and only then installs it: originals swapped by renames, the snapshot published by the
same atomic switch of ``CURRENT`` as an edit. A refused archive changes nothing."""
from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import tarfile
import time
import uuid
import zlib
from pathlib import Path

from index.index import FORMAT as INDEX_FORMAT, Index
from index.snapshots import Snapshots
from index.store import snapshot_documents
from ingest.errors import CatalyseError
from ingest.readers import original_hash

ARCHIVE_FORMAT = 1
ARCHIVE_MANIFEST = "catalyse-backup.json"
ARCHIVE_NAME = "catalyse-backup"   # the manifest's "archive": what the file is (its "kind" before API 0.3.0)
# top-level entries of a data directory that are not records: rebuilt, temporary, or saved otherwise
NOT_RECORDS = {"snapshots", "originals", "cache", "CURRENT", "CURRENT.tmp"}
TEMPORARY_PREFIXES = (".", "upload-")
SQLITE_SIDE_FILES = ("-wal", "-shm", "-journal")
ATTEMPTS = 5            # tries to catch a snapshot and its originals in agreement before waiting for the edit


class BackupError(CatalyseError):
    code = "backup_failed"


class CorruptArchive(CatalyseError):
    code = "backup_corrupt"


class IncompatibleArchive(CatalyseError):
    code = "backup_incompatible"


class OtherModel(CatalyseError):
    code = "backup_model"


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# -- what a data directory holds (small functions: other parts of the service add records) -----------
def record_files(data_dir: Path) -> list[Path]:
    """The records at the top of the data directory: files and folders that are neither the index,
    nor the originals, nor a cache, a lock, a temporary upload or a SQLite side file."""
    return sorted(p for p in data_dir.iterdir()
                  if p.name not in NOT_RECORDS and not p.name.startswith(TEMPORARY_PREFIXES)
                  and not p.name.endswith((".tmp", *SQLITE_SIDE_FILES)))


def _place(source: Path, target: Path) -> None:
    """A hard link where the file system allows it (instant, and the file outlives a pruning), else a copy."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _copy_record(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target)
    elif source.suffix in (".sqlite", ".db", ".sqlite3"):
        src, dst = sqlite3.connect(source), sqlite3.connect(target)     # consistent while being written
        try:
            src.backup(dst)
        finally:
            src.close()
            dst.close()
    else:
        shutil.copy2(source, target)


class Mismatch(Exception):
    """The snapshot and the originals disagree: an edit switched the snapshot meanwhile."""


def _stage(data_dir: Path, staging: Path) -> dict:
    """Link the current snapshot and its documents' originals into ``staging``; their index facts."""
    current = Snapshots(data_dir).current()
    if current is None:
        raise BackupError(f"aucun index dans {data_dir} : rien à sauvegarder")
    try:
        for f in current.iterdir():
            if f.is_file():     # a snapshot's ``originals/`` is its write's staging (index/indexer.py), committed apart
                _place(f, staging / "snapshot" / f.name)
    except FileNotFoundError as exc:     # pruned meanwhile: two edits in the time of one listing
        raise Mismatch(str(exc)) from None
    documents = snapshot_documents(staging / "snapshot")
    for doc_id, source, content_hash in documents:
        folder = data_dir / "originals" / doc_id
        try:
            _place(folder / source, staging / "originals" / doc_id / source)
            if (folder / "metadata.json").exists():
                _place(folder / "metadata.json", staging / "originals" / doc_id / "metadata.json")
        except FileNotFoundError:
            raise Mismatch(f"original absent : {doc_id}") from None
        if content_hash and original_hash(staging / "originals" / doc_id / source) != content_hash:
            raise Mismatch(f"original modifié depuis l'index : {doc_id}")
    config = json.loads((staging / "snapshot" / "config.json").read_text())
    return {"format": config.get("format"), "model": config.get("model"), "dim": config.get("dim"),
            "snapshot": current.name, "documents": len(documents)}


def backup(data_dir: Path, dest: Path) -> tuple[Path, dict]:
    """Write the archive (into ``dest`` if it is a folder) and return its path and manifest."""
    data_dir = Path(data_dir)
    staging = data_dir / f".backup-{uuid.uuid4().hex[:8]}"
    try:
        for attempt in range(ATTEMPTS):
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            try:
                index = _stage(data_dir, staging)
                break
            except Mismatch:
                time.sleep(0.2 * (attempt + 1))
        else:       # an edit keeps switching snapshots: wait for it, and stage under the write lock
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            with Snapshots(data_dir).lock():
                try:
                    index = _stage(data_dir, staging)
                except Mismatch as exc:     # no edit running: the originals were changed by hand
                    raise BackupError(f"les originaux ne correspondent pas à l'index ({exc}) : "
                                      "lancez « catalyse reindex », puis sauvegardez") from None
        for record in record_files(data_dir):
            _copy_record(record, staging / "records" / record.name)
        files = sorted(p for p in staging.rglob("*") if p.is_file())
        manifest = {"archive": ARCHIVE_NAME, "format": ARCHIVE_FORMAT,
                    "created": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"), "index": index,
                    "files": [{"path": p.relative_to(staging).as_posix(), "size": p.stat().st_size,
                               "sha256": sha256(p)} for p in files]}
        dest = Path(dest)
        if dest.is_dir():
            dest = dest / f"catalyse-{time.strftime('%Y%m%dT%H%M%S')}.tar"
        partial = dest.with_name(dest.name + ".partial")   # never a half-written archive under the final name
        with tarfile.open(partial, "w") as tar:
            body = json.dumps(manifest, ensure_ascii=False, indent=1).encode()
            info = tarfile.TarInfo(ARCHIVE_MANIFEST)
            info.size, info.mtime = len(body), int(time.time())
            tar.addfile(info, io.BytesIO(body))
            for p in files:
                tar.add(p, arcname=p.relative_to(staging).as_posix(), recursive=False)
        with open(partial, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(partial, dest)
        return dest, manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)


# -- restore ---------------------------------------------------------------------------------------
def read_manifest(tar: tarfile.TarFile) -> dict:
    first = tar.next()
    if first is None or first.name != ARCHIVE_MANIFEST:
        raise IncompatibleArchive("ce fichier n'est pas une sauvegarde Catalyse (manifeste absent)")
    try:
        manifest = json.loads(tar.extractfile(first).read())
    except (ValueError, AttributeError) as exc:
        raise CorruptArchive(f"manifeste illisible : {exc}") from None
    # archives written before API 0.3.0 say "kind" where newer ones say "archive"
    if not isinstance(manifest, dict) or manifest.get("archive", manifest.get("kind")) != ARCHIVE_NAME:
        raise IncompatibleArchive("ce fichier n'est pas une sauvegarde Catalyse")
    return manifest


def check_compatible(manifest: dict, model: str) -> None:
    if manifest.get("format") != ARCHIVE_FORMAT:
        raise IncompatibleArchive(f"sauvegarde au format {manifest.get('format')!r}, cette version lit le format "
                                  f"{ARCHIVE_FORMAT} : restaurez-la avec la version de Catalyse qui l'a faite")
    index = manifest.get("index") or {}
    if index.get("format") != INDEX_FORMAT:
        raise IncompatibleArchive(f"index au format {index.get('format')!r}, cette version lit le format "
                                  f"{INDEX_FORMAT} : restaurez avec la version qui l'a faite, ou indexez à nouveau "
                                  "les originaux (catalyse ingest) avec celle-ci")
    if index.get("model") != model:
        raise OtherModel(f"index construit avec le modèle {index.get('model')!r}, la configuration demande "
                         f"{model!r} : restaurez avec CATALYSE_MODEL={index.get('model')}")


def _unpack(tar: tarfile.TarFile, manifest: dict, into: Path) -> None:
    """Extract the listed files, and only them, each checked against its size and SHA-256."""
    expected = {f["path"]: f for f in manifest.get("files", [])}
    seen = set()
    for member in tar.getmembers()[1:]:          # after the manifest
        entry = expected.get(member.name)
        if entry is None or not member.isfile() or member.name in seen:
            raise CorruptArchive(f"membre inattendu dans l'archive : {member.name}")
        target = into / entry["path"]
        if into.resolve() not in target.resolve().parents:
            raise CorruptArchive(f"chemin refusé dans l'archive : {member.name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        with tar.extractfile(member) as source, open(target, "wb") as out:
            for block in iter(lambda: source.read(1 << 20), b""):
                digest.update(block)
                size += len(block)
                out.write(block)
        if size != entry["size"] or digest.hexdigest() != entry["sha256"]:
            raise CorruptArchive(f"somme de contrôle fausse pour {member.name} : archive endommagée")
        seen.add(member.name)
    if missing := sorted(set(expected) - seen):
        raise CorruptArchive(f"archive incomplète : {', '.join(missing[:3])}")


def check_archive(archive: Path, model: str, into: Path) -> dict:
    """Unpack and check an archive into ``into``: its manifest; raises before anything is installed."""
    try:
        with tarfile.open(archive, "r:*") as tar:
            manifest = read_manifest(tar)
            check_compatible(manifest, model)
            _unpack(tar, manifest, into)
    except (tarfile.TarError, EOFError, OSError, zlib.error) as exc:
        if isinstance(exc, FileNotFoundError):
            raise BackupError(f"archive introuvable : {archive}") from None
        raise CorruptArchive(f"archive illisible ({str(exc).splitlines()[-1].strip(' -')}) : {archive}") from None
    try:
        index = Index.load(into / "snapshot")      # the snapshot must load as the service will load it
        index.close()
    except Exception as exc:
        raise CorruptArchive(f"l'index de l'archive ne se charge pas : {exc}") from None
    return manifest


def restore(archive: Path, data_dir: Path, model: str) -> dict:
    """Check ``archive`` beside the data, then install it; its manifest. Refused: nothing changed."""
    data_dir = Path(data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    staging = data_dir / f".restore-{uuid.uuid4().hex[:8]}"
    staging.mkdir()
    try:
        manifest = check_archive(Path(archive), model, staging)
        snapshots = Snapshots(data_dir)
        with snapshots.lock():          # not during an edit; searches go on meanwhile
            originals = data_dir / "originals"
            if originals.exists():
                originals.rename(staging / "originals.replaced")
            (staging / "originals").mkdir(exist_ok=True)
            (staging / "originals").rename(originals)
            for record in sorted((staging / "records").glob("*")) if (staging / "records").exists() else []:
                target = data_dir / record.name
                for side in SQLITE_SIDE_FILES:       # a stale journal must not be replayed into the restored base
                    Path(str(target) + side).unlink(missing_ok=True)
                if target.is_dir():
                    shutil.rmtree(target)
                os.replace(record, target)
            snapshots.root.mkdir(exist_ok=True)
            snapshots.publish(staging / "snapshot")
        return manifest
    finally:
        shutil.rmtree(staging, ignore_errors=True)
