"""OCR of PDF pages without a text layer: pypdfium2 renders the page, Tesseract reads it in French
(Debian's ``tesseract-ocr`` and ``tesseract-ocr-fra``)."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ..errors import UnreadableDocument

LANGUAGE = "fra"
# bench/ocr_quality.py, pages of the proceedings scanned at 150 dpi: 300 dpi recovers 99.7–99.8 % of their
# words (200 dpi: 99.6 %) in 2.6–4.3 s a page depending on the machine's load. Tesseract runs with one
# thread (bounded.TESSERACT_THREADS: two were no faster on legible pages and ten times slower on an
# illegible one).
DPI = 300
PAGE_TIMEOUT_S = 60  # Tesseract's own bound on one page; the bounded reader adds one per page too
# Below this mean word confidence a page is illegible: its "text" is noise, reported and not indexed.
# Same bench: legible pages 0.94; the same pages scanned at 20, 30, 40 dpi 0.29, 0.26, 0.44 (at most 0.47).
MIN_CONFIDENCE = 0.6
# A page whose darkest pixel is lighter than this holds no ink: blank (the proceedings have four such
# pages), nothing to read and nothing to report.
BLANK_ABOVE = 200


@dataclass
class OcrPage:
    text: str
    confidence: float | None     # mean word confidence, 0–1; None: no word recognised
    blank: bool = False

    @property
    def legible(self) -> bool:
        return self.confidence is not None and self.confidence >= MIN_CONFIDENCE


def _unavailable(path: Path, exc: Exception | None = None) -> UnreadableDocument:
    return UnreadableDocument(f"{path.name} : pages sans texte et OCR indisponible (installez tesseract-ocr "
                              f"et tesseract-ocr-fra){f' ({exc})' if exc else ''}", "ocr_unavailable")


def check(path: Path, pages: list[int]) -> None:
    """That the pages would be OCR'd: each renders (at a low resolution: this is a check, not the
    reading) and, if one holds ink, Tesseract with its French data is installed."""
    import pytesseract

    inked = [n for n, image in _rendered(path, pages, dpi=18) if image.getextrema()[0] <= BLANK_ABOVE]
    if inked:
        try:
            if LANGUAGE not in pytesseract.get_languages(config=""):
                raise _unavailable(path)
        except (pytesseract.TesseractNotFoundError, OSError) as exc:
            raise _unavailable(path, exc) from None


def _rendered(path: Path, numbers: list[int], dpi: int):
    """(page number, greyscale image) of each page, rendered by pdfium."""
    import pypdfium2

    try:
        pdf = pypdfium2.PdfDocument(str(path))
    except pypdfium2.PdfiumError as exc:
        raise UnreadableDocument(f"{path.name} : PDF impossible à afficher pour l'OCR ({exc})", "broken_pdf") from exc
    try:
        for number in numbers:
            try:
                image = pdf[number - 1].render(scale=dpi / 72, grayscale=True).to_pil()
            except pypdfium2.PdfiumError as exc:
                raise UnreadableDocument(f"{path.name} : page {number} impossible à afficher pour l'OCR ({exc})",
                                         "broken_pdf") from exc
            yield number, image
    finally:
        pdf.close()


def read_page(image) -> tuple[str, float | None]:
    """The page's text (lines of a paragraph on their own lines, paragraphs apart) and the mean
    confidence of its words (0–1; None: no word recognised)."""
    import pytesseract

    data = pytesseract.image_to_data(image, lang=LANGUAGE, output_type=pytesseract.Output.DICT,
                                     timeout=PAGE_TIMEOUT_S)
    lines: dict[tuple[int, int, int], list[str]] = {}
    confidences = []
    for word, conf, block, par, line in zip(data["text"], data["conf"], data["block_num"], data["par_num"],
                                            data["line_num"]):
        if word.strip() and float(conf) >= 0:
            lines.setdefault((block, par, line), []).append(word)
            confidences.append(float(conf) / 100)
    paragraphs: dict[tuple[int, int], list[str]] = {}
    for (block, par, _), words in lines.items():
        paragraphs.setdefault((block, par), []).append(" ".join(words))
    text = "\n\n".join("\n".join(ls) for ls in paragraphs.values())
    return text, (round(sum(confidences) / len(confidences), 3) if confidences else None)


def read_pages(path: Path, pages: list[int], on_page=None) -> dict[int, OcrPage]:
    """Each page's text and confidence; ``on_page(0, total)`` first, then ``on_page(done, total)`` after each."""
    import pytesseract

    if on_page:
        on_page(0, len(pages))
    out = {}
    for done, (number, image) in enumerate(_rendered(path, pages, DPI), 1):
        if image.getextrema()[0] > BLANK_ABOVE:
            out[number] = OcrPage("", None, blank=True)
        else:
            try:
                out[number] = OcrPage(*read_page(image))
            except pytesseract.TesseractNotFoundError as exc:
                raise _unavailable(path, exc) from None
            except (RuntimeError, pytesseract.TesseractError) as exc:   # RuntimeError: Tesseract's timeout
                if "Failed loading language" in str(exc):
                    raise _unavailable(path, exc) from None
                out[number] = OcrPage("", None)
        if on_page:
            on_page(done, len(pages))
    return out
