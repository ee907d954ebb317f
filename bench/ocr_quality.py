"""How well and how fast scanned pages are read, by rendering resolution and Tesseract's threads.

    python bench/ocr_quality.py [--pages 5,29,40,46,59] [--scan-dpi 150] [--dpi 200,300,400]

Each page of the proceedings is rendered as a greyscale image at ``--scan-dpi`` (an office
scanner), put into an image-only PDF, and read back through the OCR path (pypdfium2 at each
``--dpi``, Tesseract in French) with one OpenMP thread and with two. Prints, per setting, the share of
the page's text-layer words recovered (multiset, as tests/test_formats.py measures it), the mean
word confidence and the seconds per page; then the mean confidence of the same pages made illegible
(scanned at 20, 30 and 40 dpi), against which ``ocr.MIN_CONFIDENCE`` is set.
"""
import argparse
import collections
import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

PROCEEDINGS = Path(__file__).resolve().parent.parent / "corpus" / "actes-6e-rencontre-2020.pdf"


def words(text: str) -> collections.Counter:
    return collections.Counter(re.findall(r"\w+", text.lower()))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--pages", default="5,29,40,46,59")
    ap.add_argument("--scan-dpi", type=int, default=150)
    ap.add_argument("--dpi", default="200,300,400")
    args = ap.parse_args()
    from ingest.settings import apply_thread_settings

    apply_thread_settings()
    import pypdf
    import pypdfium2

    pages = [int(p) for p in args.pages.split(",")]
    layer = pypdf.PdfReader(str(PROCEEDINGS))
    source = pypdfium2.PdfDocument(str(PROCEEDINGS))
    folder = Path(tempfile.mkdtemp(prefix="bench-ocr-"))
    scans = {}
    for n in pages:
        image = source[n - 1].render(scale=args.scan_dpi / 72, grayscale=True).to_pil().convert("L")
        scans[n] = folder / f"page-{n}.pdf"
        image.save(str(scans[n]), "PDF", resolution=args.scan_dpi)
    print(f"pages {pages} of the proceedings, scanned at {args.scan_dpi} dpi")
    from ingest.formats import ocr

    for threads in ("1", "2"):
        os.environ["OMP_THREAD_LIMIT"] = threads
        for dpi in [int(d) for d in args.dpi.split(",")]:
            ocr.DPI = dpi
            recovered, confidence, seconds = [], [], []
            for n in pages:
                reference = words(layer.pages[n - 1].extract_text())
                started = time.perf_counter()
                [page] = ocr.read_pages(scans[n], [1]).values()
                seconds.append(time.perf_counter() - started)
                recovered.append(sum((reference & words(page.text)).values()) / sum(reference.values()))
                confidence.append(page.confidence or 0)
            print(f"threads {threads}, {dpi} dpi: words recovered {statistics.mean(recovered):.1%} "
                  f"(worst page {min(recovered):.1%}), confidence {statistics.mean(confidence):.2f}, "
                  f"{statistics.mean(seconds):.1f} s per page (slowest {max(seconds):.1f} s)")
    for blurred_dpi in (20, 30, 40):
        confidence = []
        for n in pages:
            image = source[n - 1].render(scale=args.scan_dpi / 72, grayscale=True).to_pil().convert("L")
            scale = blurred_dpi / args.scan_dpi
            small = image.resize((int(image.width * scale), int(image.height * scale)))
            confidence.append(ocr.read_page(small.resize(image.size))[1] or 0)
        print(f"illegible (scanned at {blurred_dpi} dpi): confidence {statistics.mean(confidence):.2f} "
              f"(highest {max(confidence):.2f}); legible above {ocr.MIN_CONFIDENCE}")


if __name__ == "__main__":
    main()
