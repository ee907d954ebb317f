"""Documents: the indexed publications and their files for everyone; adding, removing and
reindexing for editors, as jobs run one at a time in the background."""
from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import FileResponse

from index.indexer import DuplicateDocument, UnknownDocument
from ingest.bounded import check_upload
from ingest.chunker import KEEP_WORDS
from ingest.errors import CatalyseError, UnreadableDocument
from ingest.metadata import checked_metadata
from ingest.sniff import upload_suffix

from ..deps import Editor, Ready
from ..errors import EmptyFile, NameTaken, NotFound, TooLarge, UnknownJob, UnsupportedType
from ..params import DocId, is_file_name, safe_name
from ..service import UPLOAD_PREFIX, Service

router = APIRouter()


@router.get("/api/documents", summary="Les publications indexées")
def api_documents(service: Ready):
    return {"documents": service.searcher().index.store.documents()}


@router.get("/api/documents/{doc_id}", summary="Une publication")
def api_document(doc_id: DocId, service: Ready):
    found = next((d for d in service.searcher().index.store.documents() if d["id"] == doc_id), None)
    if found is None:
        raise UnknownDocument(f"document inconnu : {doc_id}")
    return found


@router.get("/corpus/{file}", summary="Le fichier d'une publication (liens « #page=N »)")
def corpus_file(file: str, service: Ready):
    path = service.settings.data_dir / "originals" / Path(file).stem / file
    if not is_file_name(file) or not path.is_file():      # checked first: a NUL or a long name is no file
        raise NotFound("fichier introuvable")
    if path.suffix.lower() in (".html", ".htm"):    # a stored web page never runs on this origin
        return FileResponse(path, media_type="text/plain; charset=utf-8",
                            headers={"Content-Disposition": "attachment", "X-Content-Type-Options": "nosniff"})
    return FileResponse(path)


# -- editors ---------------------------------------------------------------------------------
def _suffix(data: bytes, filename: str) -> str:
    """The file's type from its bytes (ingest.sniff: PDF, Office documents, web pages, subtitles, text)."""
    try:
        return upload_suffix(data, filename)
    except CatalyseError as exc:
        if exc.code == "unsupported_type":
            raise UnsupportedType(str(exc)) from None
        raise


async def _checked_upload(service: Service, file: UploadFile, metadata: str | None) -> tuple[Path, dict]:
    """The upload saved in its own temporary folder, once read without error: a bad file is
    refused before anything is queued, and leaves nothing behind."""
    limit = int(service.config.max_upload_mb * 1024 * 1024)
    data = await file.read(limit + 1)
    if len(data) > limit:
        raise TooLarge(f"fichier trop volumineux (limite {service.config.max_upload_mb:g} Mo)")
    if not data.strip():
        raise EmptyFile("fichier vide")
    meta = checked_metadata(metadata)
    suffix = _suffix(data, file.filename or "")
    folder = Path(tempfile.mkdtemp(prefix=UPLOAD_PREFIX, dir=service.settings.data_dir))
    path = folder / f"{safe_name(file.filename or '')}{suffix}"
    path.write_bytes(data)
    try:  # read now, in a bounded child process
        doc = await run_in_threadpool(check_upload, path, meta)
        store = service.searcher().index.store
        same = store.document_by_hash(doc.content_hash)
        if same and same != doc.id:
            raise DuplicateDocument(f"contenu identique au document déjà indexé « {same} »")
        named = store.document(doc.id)
        if named is not None and named.source != path.name:    # « ÉVIL ÜNÏ.TXT » is not an update of evil-uni.md
            raise NameTaken(f"le nom « {doc.id} » est déjà celui de {named.source} : renommez le fichier, ou "
                            f"retirez d'abord {named.source} pour le remplacer")
        # a short slide may still be kept whole; a scan's words come with the OCR, in the job
        if doc.unit != "slide" and not doc.awaiting_ocr and len(doc.text.split()) < KEEP_WORDS:
            raise UnreadableDocument(f"{path.name} : texte trop court pour être indexé (moins de {KEEP_WORDS} "
                                     "mots)", "too_short")
    except CatalyseError:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return path, meta


@router.post("/api/documents", status_code=202, summary="Ajouter une publication (éditeurs)")
async def api_add(file: Annotated[UploadFile, File()], service: Editor,
                  metadata: Annotated[str | None, Form()] = None):
    path, meta = await _checked_upload(service, file, metadata)
    return service.add_upload(path, meta).public()


@router.delete("/api/documents/{doc_id}", status_code=202, summary="Retirer une publication (éditeurs)")
def api_remove(doc_id: DocId, service: Editor):
    if service.searcher().index.store.document(doc_id) is None:
        raise UnknownDocument(f"document inconnu : {doc_id}")
    return service.remove(doc_id).public()


@router.post("/api/reindex", status_code=202, summary="Tout réindexer (éditeurs)")
def api_reindex(service: Editor):
    return service.reindex().public()


@router.get("/api/jobs/{job_id}", summary="Avancement d'une tâche d'édition")
def api_job(job_id: str, service: Editor):
    job = service.jobs.get(job_id)
    if job is None:
        raise UnknownJob("tâche inconnue")
    return job.public()


@router.delete("/api/jobs/{job_id}", summary="Annuler une tâche d'édition, en attente ou en cours")
def api_cancel(job_id: str, service: Editor):
    """La tâche s'arrête à son prochain point d'arrêt, sans rien modifier, et finit « annulé » ; une tâche qui
    écrit déjà le nouvel index (``writing``) va à son terme : 409 ``job_running``."""
    job = service.jobs.get(job_id)
    if job is None:
        raise UnknownJob("tâche inconnue")
    return service.cancel(job).public()


@router.get("/api/jobs", summary="Les tâches d'édition")
def api_jobs(service: Editor):
    return {"jobs": [j.public() for j in sorted(service.jobs.values(), key=lambda j: -j.created)]}
