"""Read a publication file (PDF, Markdown or plain text) into a Document."""
from __future__ import annotations

import collections
import hashlib
import json
import re
from pathlib import Path

from .document import Document
from .errors import UnreadableDocument

FORMATS = {".pdf": "pdf", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}
META_SUFFIX = ".meta.json"


def metadata_path(path: Path) -> Path:
    return path.with_name(path.stem + META_SUFFIX)


def load_metadata(path: Path, meta_file: Path | None = None) -> dict:
    """The metadata file beside a publication (or the one given), else an empty dict."""
    meta_file = meta_file or metadata_path(path)
    if not meta_file.exists():
        return {}
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadableDocument(f"{meta_file.name} : métadonnées JSON illisibles ({exc})", "bad_metadata")
    if not isinstance(meta, dict):
        raise UnreadableDocument(f"{meta_file.name} : les métadonnées doivent être un objet JSON", "bad_metadata")
    return meta


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Headers and footers: lines that recur, digits aside, on at least three pages."""
    counts = collections.Counter()
    for lines in pages:
        counts.update({re.sub(r"\d+", "#", line) for line in lines if len(line) > 15})
    return {shape for shape, n in counts.items() if n >= 3}


def _pdf_pages(path: Path) -> tuple[list[str], dict]:
    import pypdf

    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted:
            raise UnreadableDocument(f"{path.name} : PDF chiffré", "encrypted_pdf")
        raw = [page.extract_text() or "" for page in reader.pages]
        info = dict(reader.metadata or {})
    except UnreadableDocument:
        raise
    except Exception as exc:  # pypdf raises many types on broken files
        raise UnreadableDocument(f"{path.name} : PDF illisible ({type(exc).__name__})", "broken_pdf") from exc
    pages = [[line.strip() for line in text.splitlines()] for text in raw]
    running = _running_lines(pages)
    pages = [[l for l in lines if re.sub(r"\d+", "#", l) not in running] for lines in pages]
    return ["\n".join(lines).strip("\n") for lines in pages], {"title": str(info.get("/Title") or "")}


def _decode(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"{path.name} : texte non UTF-8", "not_utf8") from exc


def _first_line_title(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""


def read_document(path: Path, metadata: dict | None = None) -> Document:
    """Read ``path``; page numbers are kept for PDFs, a text file is one page."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableDocument(f"{path.name} : format non pris en charge ({path.suffix or 'sans extension'})",
                                 "unsupported_format")
    if fmt == "pdf":
        pages, info = _pdf_pages(path)
    else:
        pages, info = [_decode(path).replace("\r\n", "\n")], {}
    text, starts = "", []
    for page in pages:
        starts.append(len(text))
        text += page + "\n"
    if not text.strip():
        raise UnreadableDocument(f"{path.name} : aucun texte extractible (document vide ou scanné)", "no_text")
    meta = dict(metadata or {})
    meta.setdefault("format", fmt)
    title = meta.get("title") or info.get("title") or _first_line_title(text) or path.stem
    return Document(id=path.stem, title=title, text=text, page_starts=starts, metadata=meta,
                    source=path.name, content_hash=hashlib.sha256(path.read_bytes()).hexdigest())
