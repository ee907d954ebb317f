"""An upload's type, judged by its bytes (its name only decides between the kinds of text):
PDF by its signature, Word/PowerPoint by the content types inside their ZIP, LibreOffice by its
``mimetype`` entry, web pages by their markup, subtitles by their header or first cue, else UTF-8 text."""
from __future__ import annotations

import io
import re
import zipfile

from .errors import UnreadableDocument

OOXML = {"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": ".docx",
         "application/vnd.openxmlformats-officedocument.presentationml.presentation.main+xml": ".pptx"}
ODF = {"application/vnd.oasis.opendocument.text": ".odt",
       "application/vnd.oasis.opendocument.presentation": ".odp"}
HTML_START = re.compile(rb"^(?:\xef\xbb\xbf)?\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
SRT_START = re.compile(r"^\s*\d+\s*\n\s*\d{1,2}:\d{2}:\d{2}[,.]\d{1,3}\s*-->", re.S)
ACCEPTED = ("PDF, Word (.docx), PowerPoint (.pptx), LibreOffice (.odt, .odp), page web, sous-titres (WebVTT, SRT), "
            "Markdown ou texte UTF-8")


def unsupported(why: str) -> UnreadableDocument:
    return UnreadableDocument(f"type non pris en charge ({why}) : {ACCEPTED} attendu", "unsupported_type")


def _zip_suffix(data: bytes, name: str) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                kind = archive.read("mimetype").decode("ascii", "replace").strip()
                if kind in ODF:
                    return ODF[kind]
                raise unsupported(f"document OpenDocument {kind}")
            if "[Content_Types].xml" in names:
                types = archive.read("[Content_Types].xml").decode("utf-8", "replace")
                found = [suffix for kind, suffix in OOXML.items() if kind in types]
                if found:
                    return found[0]
                raise unsupported("document Office autre que Word ou PowerPoint")
    except zipfile.BadZipFile as exc:    # a truncated Office file: its name says which
        kind = next((s for s in (*OOXML.values(), *ODF.values()) if name.endswith(s)), ".zip")
        raise UnreadableDocument(f"{name} : archive illisible ({exc}), fichier tronqué ou abîmé",
                                 f"broken_{kind.lstrip('.')}") from exc
    raise unsupported("archive ZIP")


def upload_suffix(data: bytes, filename: str) -> str:
    """The suffix the upload is stored and read under, or UnreadableDocument ``unsupported_type``
    (or ``broken_docx``…, an Office file whose archive cannot be opened)."""
    name = (filename or "").lower()
    if data.startswith(b"%PDF-"):
        return ".pdf"
    if data.startswith(b"PK\x03\x04"):
        return _zip_suffix(data, name)
    if HTML_START.match(data[:4096]) or (name.endswith((".html", ".htm")) and b"<" in data[:4096]):
        return ".html"     # a page's encoding is its own (a <meta charset>): trafilatura decodes it
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise unsupported("ni PDF, ni document Office, ni texte UTF-8") from None
    if text.lstrip().startswith("WEBVTT"):
        return ".vtt"
    if SRT_START.match(text.replace("\r\n", "\n")):
        return ".srt"
    return ".md" if name.endswith((".md", ".markdown")) else ".txt"
