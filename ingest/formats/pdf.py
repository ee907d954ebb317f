"""PDF: the text layer by pypdf, printed page numbers kept, running headers and footers dropped;
pages without a text layer (scans) are read by OCR (``ocr.py``)."""
from __future__ import annotations

import collections
import re
from pathlib import Path

from ..errors import UnreadableDocument
from . import ocr
from .builder import Draft

# A page with fewer characters in its text layer is a scan (a stray page number or a scanner's stamp
# aside); the proceedings' lightest page with text holds 62, its four blank pages none.
SCANNED_BELOW_CHARS = 20


def _running_lines(pages: list[list[str]]) -> set[str]:
    """Headers and footers: lines that recur, digits aside, on at least three pages."""
    counts = collections.Counter()
    for lines in pages:
        counts.update({re.sub(r"\d+", "#", line) for line in lines if len(line) > 15})
    return {shape for shape, n in counts.items() if n >= 3}


def _pdf_date(value: str) -> str:
    """``D:20200708…`` → ``2020-07-08``."""
    m = re.match(r"D:(\d{4})(\d{2})?(\d{2})?", value or "")
    return "-".join(g for g in m.groups() if g) if m else ""


def read_pdf(path: Path, with_ocr: bool = True, on_page=None) -> Draft:
    """``with_ocr=False`` only checks that pages without text would be OCR-able (an upload's check
    before it is queued; the OCR itself runs in the indexing job)."""
    import pypdf

    try:
        reader = pypdf.PdfReader(str(path))
        if reader.is_encrypted:
            raise UnreadableDocument(f"{path.name} : PDF chiffré", "encrypted_pdf")
        raw = [page.extract_text() or "" for page in reader.pages]
        info = dict(reader.metadata or {})
    except UnreadableDocument:
        raise
    except (pypdf.errors.DependencyError, pypdf.errors.FileNotDecryptedError) as exc:   # AES without its library
        raise UnreadableDocument(f"{path.name} : PDF chiffré", "encrypted_pdf") from exc
    except Exception as exc:  # pypdf raises many types on broken files
        raise UnreadableDocument(f"{path.name} : PDF illisible ({type(exc).__name__})", "broken_pdf") from exc
    scanned = [n for n, text in enumerate(raw, 1) if len(text.strip()) < SCANNED_BELOW_CHARS]
    confidence: list[float | None] = [None] * len(raw)
    warnings: list[str] = []
    if scanned:
        if with_ocr:
            for n, page in ocr.read_pages(path, scanned, on_page).items():
                if page.legible:
                    raw[n - 1], confidence[n - 1] = page.text, page.confidence
                elif not page.blank:
                    said = f"confiance {page.confidence:.0%}" if page.confidence is not None else "aucun mot reconnu"
                    warnings.append(f"page {n} : illisible par l'OCR ({said}), non indexée")
        else:
            ocr.check(path, scanned)
    pages = [[line.strip() for line in text.splitlines()] for text in raw]
    running = _running_lines(pages)
    pages = [[l for l in lines if re.sub(r"\d+", "#", l) not in running] for lines in pages]
    texts = ["\n".join(lines).strip("\n") for lines in pages]
    text, starts = "", []
    for page in texts:
        starts.append(len(text))
        text += page + "\n"
    properties = {"title": str(info.get("/Title") or ""), "author": str(info.get("/Author") or ""),
                  "date": _pdf_date(str(info.get("/CreationDate") or ""))}
    return Draft(text=text, page_starts=starts, unit="page", ocr=confidence if scanned else [],
                 warnings=warnings, properties={k: v for k, v in properties.items() if v},
                 awaiting_ocr=[] if with_ocr else scanned)
