"""Read a publication file into a Document: PDF (scanned pages by OCR), Markdown, text, Word,
LibreOffice Writer and Impress, PowerPoint, web pages, WebVTT and SRT subtitles. One reader per
format family lives in ``formats/``; this module picks it by the file's suffix and fills the metadata
with the file's own properties where no metadata file says otherwise."""
from __future__ import annotations

import hashlib
import unicodedata
from pathlib import Path

from .document import Document
from .errors import UnreadableDocument
from .formats.builder import Draft
from .metadata import checked_metadata

FORMATS = {".pdf": "pdf", ".md": "markdown", ".markdown": "markdown", ".txt": "text",
           ".docx": "docx", ".odt": "odt", ".pptx": "pptx", ".odp": "odp", ".html": "html", ".htm": "html",
           ".vtt": "webvtt", ".srt": "srt"}
META_SUFFIX = ".meta.json"
PROPERTIES = ("title", "author", "date", "source_url")   # what a file's own properties may fill


def metadata_path(path: Path) -> Path:
    return path.with_name(path.stem + META_SUFFIX)


def load_metadata(path: Path, meta_file: Path | None = None) -> dict:
    """The metadata file beside a publication (or the one given), checked by its schema, else an empty dict."""
    meta_file = meta_file or metadata_path(path)
    if not meta_file.exists():
        return {}
    return checked_metadata(meta_file.read_bytes(), name=meta_file.name)


def _plain_text(path: Path) -> Draft:
    """Markdown and text: one block of text without pages (Markdown's headings are read by structure.py)."""
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise UnreadableDocument(f"{path.name} : texte non UTF-8", "not_utf8") from exc
    return Draft(text=text.replace("\r\n", "\n") + "\n", page_starts=[0], unit="")


TEXT_FORMATS = {"markdown", "text", "html", "webvtt", "srt"}


def content_hash(path: Path, fmt: str) -> str:
    """SHA-256 of what makes two files the same publication: a text format's content with its byte order
    mark, line endings, trailing spaces and blank lines at either end set aside (and Unicode composed), so
    a copy saved by another editor is a duplicate; other formats' bytes as they are."""
    data = path.read_bytes()
    if fmt in TEXT_FORMATS:
        try:
            text = unicodedata.normalize("NFC", data.decode("utf-8-sig"))
        except UnicodeDecodeError:
            pass
        else:
            data = "\n".join(line.rstrip() for line in text.splitlines()).strip("\n").encode()
    return hashlib.sha256(data).hexdigest()


def original_hash(path: Path) -> str:
    """The ``content_hash`` a stored original was indexed under (its format from its name)."""
    return content_hash(path, FORMATS.get(Path(path).suffix.lower(), ""))


def _first_line_title(text: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if line:
            return line[:200]
    return ""


def read_draft(path: Path, fmt: str, with_ocr: bool = True, on_page=None) -> Draft:
    if fmt == "pdf":
        from .formats.pdf import read_pdf
        return read_pdf(path, with_ocr, on_page)
    if fmt in ("docx", "odt"):
        from .formats import word
        return word.read_docx(path) if fmt == "docx" else word.read_odt(path)
    if fmt in ("pptx", "odp"):
        from .formats import slides
        return slides.read_pptx(path) if fmt == "pptx" else slides.read_odp(path)
    if fmt == "html":
        from .formats.web import read_html
        return read_html(path)
    if fmt in ("webvtt", "srt"):
        from .formats.transcripts import read_subtitles
        return read_subtitles(path)
    return _plain_text(path)


def read_document(path: Path, metadata: dict | None = None, with_ocr: bool = True, on_page=None) -> Document:
    """Read ``path``. ``with_ocr=False`` leaves scanned pages unread, only checked to be OCR-able
    (an upload's check before it is queued); ``on_page(done, total)`` follows the OCR."""
    path = Path(path)
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        raise UnreadableDocument(f"{path.name} : format non pris en charge ({path.suffix or 'sans extension'})",
                                 "unsupported_format")
    draft = read_draft(path, fmt, with_ocr, on_page)
    if not draft.text.strip() and not draft.awaiting_ocr:
        raise UnreadableDocument(f"{path.name} : aucun texte extractible (document vide, ou scanné et illisible)",
                                 "no_text")
    meta = dict(metadata or {})
    meta.setdefault("format", fmt)
    for key in PROPERTIES:
        if draft.properties.get(key) and not meta.get(key):
            meta[key] = str(draft.properties[key])
    spoken = draft.unit == "time"      # a transcript's first line is what is said, not a title
    title = meta.get("title") or (not spoken and _first_line_title(draft.text)) or path.stem
    return Document(id=path.stem, title=title, text=draft.text, page_starts=draft.page_starts, metadata=meta,
                    source=path.name, content_hash=content_hash(path, fmt), unit=draft.unit,
                    awaiting_ocr=len(draft.awaiting_ocr),
                    headings=draft.headings, lists=draft.lists, cues=draft.cues, ocr=draft.ocr,
                    warnings=draft.warnings)
