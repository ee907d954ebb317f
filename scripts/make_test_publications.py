"""Write the test publications of every format from the proceedings' own text, with the real libraries.

    python scripts/make_test_publications.py [--out tests/data/publications]

Each file takes known passages of the bundled proceedings (found by their first words) and puts
them where its format gives provenance: a Word and a LibreOffice document (headings from styles,
a list), a PowerPoint and an Impress presentation (titles, bullets, speaker notes), a web page
(navigation, scripts and footer around the article; a canonical URL), WebVTT subtitles with voice
tags and SRT subtitles with « NOM : » speakers (times from 12 min and 3 min), and a scanned PDF:
two pages of the proceedings rendered as images (no text layer), the first one illegibly. The tests
search these sentences and check the section, page, slide or time they come back with.
"""
from __future__ import annotations

import argparse
import datetime
import io
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from ingest.readers import read_document  # noqa: E402

PROCEEDINGS = REPO / "corpus" / "actes-6e-rencontre-2020.pdf"
AUTHOR = "Réseau des pionniers des alliances en Territoire"
DATE = datetime.datetime(2020, 7, 8, 9, 0, tzinfo=datetime.timezone.utc)
SCANNED_PAGE = 40          # the page of the proceedings rendered as an image
SCAN_DPI = 150             # an office scanner's usual resolution
CUE_WORDS, CUE_SECONDS = 12, 4


class Proceedings:
    def __init__(self):
        self.doc = read_document(PROCEEDINGS)

    def take(self, first_words: str, words: int) -> list[str]:
        """Whole sentences from ``first_words`` on, about ``words`` words, lines unwrapped."""
        start = self.doc.text.index(first_words)
        text = " ".join(self.doc.text[start:start + words * 12].split())
        out, n = [], 0
        for sentence in re.split(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«])", text):
            out.append(sentence)
            n += len(sentence.split())
            if n >= words:
                break
        return out

    def paragraphs(self, first_words: str, words: int, per_paragraph: int = 3) -> list[str]:
        sentences = self.take(first_words, words)
        return [" ".join(sentences[i:i + per_paragraph]) for i in range(0, len(sentences), per_paragraph)]

    def levers(self) -> tuple[str, list[str]]:
        """The lead-in and the 7 items of the proceedings' list of levers (page 4)."""
        start = self.doc.text.index("Chaque territoire, selon sa maturité")
        block = self.doc.text[start:self.doc.text.index("Quel effet de levier partenarial", start)]
        lead, *items = block.split("▪")
        items[-1] += "Quel effet de levier partenarial ?"
        return " ".join(lead.split()), [" ".join(i.split()) for i in items]


def write_docx(p: Proceedings, path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("Les métiers de la catalyse territoriale", style="Title")
    document.add_heading("Introduction par Elodie Jullien", 1)
    for text in p.paragraphs("La rencontre et l'animation des liens", 90):
        document.add_paragraph(text)
    document.add_heading("Les 7 leviers de la co-construction territoriale", 1)
    lead, items = p.levers()
    document.add_paragraph(lead)
    for item in items:
        document.add_paragraph(item, style="List Bullet")
    document.add_heading("Les métiers en pratique", 1)
    document.add_heading("Le dialogue territorial à Paris Est Marne & Bois", 2)
    for text in p.paragraphs("Notre prisme d’entrée est le dialogue territorial", 140):
        document.add_paragraph(text)
    document.add_heading("L’expérimentation collective à Microville 112", 2)
    for text in p.paragraphs("Le prisme d’entrée est l’expérimentation collective", 140):
        document.add_paragraph(text)
    props = document.core_properties
    props.title, props.author, props.created, props.modified = "Kit : les métiers de la catalyse", AUTHOR, DATE, DATE
    document.save(str(path))


def write_odt(p: Proceedings, path: Path) -> None:
    from odfdo import Document, Header, List, Paragraph

    document = Document("text")
    body = document.body
    body.clear()
    body.append(Header(1, "L’engagement territorial des entreprises"))
    body.append(Header(2, "Eclairage d’Emeric Oudin, Président du CJD"))
    for text in p.paragraphs("Il y a des entreprises qui sont prêtes", 110):
        body.append(Paragraph(text))
    body.append(Header(2, "Témoignage d’Olivier Guilbaud, Laboratoire Science et Nature"))
    for text in p.paragraphs("L’engagement territorial est important et nécessaire", 170):
        body.append(Paragraph(text))
    lead, items = p.levers()
    body.append(Header(2, "Les leviers"))
    body.append(Paragraph(lead))
    body.append(List(items))
    document.meta.title, document.meta.initial_creator = "Kit : l’engagement territorial des entreprises", AUTHOR
    document.meta.creation_date = DATE.replace(tzinfo=None)
    document.save(str(path))


SLIDES = [  # (title, first words of the bullets, of the notes)
    ("Le dialogue territorial", "Notre prisme d’entrée est le dialogue territorial", "L’initiative Vitawin est une"),
    ("L’expérimentation collective", "Le prisme d’entrée est l’expérimentation collective",
     "On a donc fait des commissions"),
    ("L’accompagnement", "Au sein du RNET, les développeurs économiques", "Il est de fait ouvert à tous"),
    ("La gestion d’un lieu", "La gestion d’une « infrastructure »", "Tout se joue beaucoup d’autour du lieu"),
]


def _bullets(p: Proceedings, first: str, notes_first: str) -> tuple[list[str], str]:
    bullets = p.take(first, 45)
    notes = " ".join(s for s in p.take(notes_first, 80) if s not in bullets)
    return bullets, notes


def write_pptx(p: Proceedings, path: Path) -> None:
    import pptx

    deck = pptx.Presentation()
    cover = deck.slides.add_slide(deck.slide_layouts[0])
    cover.shapes.title.text = "Les 4 métiers de la catalyse territoriale"
    cover.placeholders[1].text = "6e Rencontre des pionniers des alliances en Territoire, 8 juillet 2020"
    for title, first, notes_first in SLIDES:
        slide = deck.slides.add_slide(deck.slide_layouts[1])
        slide.shapes.title.text = title
        bullets, notes = _bullets(p, first, notes_first)
        frame = slide.placeholders[1].text_frame
        frame.text = bullets[0]
        for bullet in bullets[1:]:
            frame.add_paragraph().text = bullet
        slide.notes_slide.notes_text_frame.text = notes
    props = deck.core_properties
    props.title, props.author = "Les 4 métiers de la catalyse territoriale", AUTHOR
    props.created = props.modified = DATE
    deck.save(str(path))


def write_odp(p: Proceedings, path: Path) -> None:
    from odfdo import Document, DrawPage, Frame, List, Paragraph, PresentationNotes

    document = Document("presentation")
    body = document.body
    body.clear()
    slides = [("Témoignages des institutions", ["Yves Le Breton, Agence nationale de la cohésion des territoires",
                                                 "Elisa Vall, Banque des Territoires"], "")]
    slides += [(title, *_bullets(p, first, notes_first)) for title, first, notes_first in (
        ("L’Agence nationale de la cohésion des territoires", "L’Agence nationale de cohésion des territoires est",
         "J'aime assez l'image"),
        ("L’ingénierie de la Banque des Territoires", "L’ingénierie territoriale de la Banque des territoires",
         "La Banque des territoires accompagne les territoires"),
    )]
    for number, (title, bullets, notes) in enumerate(slides, 1):
        page = DrawPage(f"page{number}", name=f"page{number}")
        page.append(Frame.text_frame(Paragraph(title), size=("24cm", "3cm"), position=("2cm", "1cm"),
                                     presentation_class="title"))
        page.append(Frame.text_frame(List(bullets), size=("24cm", "14cm"), position=("2cm", "5cm"),
                                     presentation_class="outline"))
        if notes:
            page_notes = PresentationNotes()
            page_notes.append(Frame.text_frame(Paragraph(notes), size=("16cm", "10cm"), position=("2cm", "14cm"),
                                               presentation_class="notes"))
            page.append(page_notes)
        body.append(page)
    document.meta.title, document.meta.initial_creator = "L’ingénierie des institutions", AUTHOR
    document.meta.creation_date = DATE.replace(tzinfo=None)
    document.save(str(path))


def write_html(p: Proceedings, path: Path) -> None:
    from jinja2 import Template

    page = Template("""<!DOCTYPE html>
<html lang="fr">
<head>
<meta charset="utf-8">
<title>Le Réseau Alliances, un réseau d'entreprises territoriales | Témoignages du Réseau</title>
<link rel="canonical" href="https://www.example.org/temoignages/reseau-alliances">
<meta name="author" content="Sophie Letartre">
<meta property="article:published_time" content="2020-07-08">
<script>window.analytics = {track: function () {}}; document.write("Bandeau publicitaire");</script>
<style>nav { float: left }</style>
</head>
<body>
<header><a href="/">Réseau des pionniers</a> — Accueil · Actualités · Ressources · Contact</header>
<nav><ul><li><a href="/kits">Kits pratiques</a></li><li><a href="/actes">Actes des rencontres</a></li>
<li><a href="/temoignages">Tous les témoignages</a></li><li><a href="/newsletter">Lettre d'information</a></li></ul></nav>
<main><article>
<h1>Le Réseau Alliances, un réseau d'entreprises territoriales</h1>
{% for text in intro %}<p>{{ text }}</p>
{% endfor %}
<h2>L'innovation sociale au sein du Réseau</h2>
{% for text in innovation %}<p>{{ text }}</p>
{% endfor %}
<h3>Les 7 leviers</h3>
<p>{{ lead }}</p>
<ul>{% for item in items %}<li>{{ item }}</li>{% endfor %}</ul>
</article></main>
<aside>À lire aussi : nos autres témoignages de catalyseurs.</aside>
<footer>Mentions légales · Plan du site · Politique de confidentialité · © Réseau des pionniers</footer>
<script>console.log("fin de page");</script>
</body>
</html>
""")
    lead, items = p.levers()
    path.write_text(page.render(intro=p.paragraphs("Le Réseau Alliances est un réseau qui fédère", 60),
                                innovation=p.paragraphs("Le Réseau Alliances est situé près de Lille", 150),
                                lead=lead, items=items), encoding="utf-8")


def _cues(sentences: list[str]) -> list[str]:
    words = " ".join(sentences).split()
    return [" ".join(words[i:i + CUE_WORDS]) for i in range(0, len(words), CUE_WORDS)]


def write_subtitles(p: Proceedings, path: Path, speakers: list[tuple[str, str, int]], start_s: float,
                    voice_tags: bool) -> None:
    """``speakers``: (name, first words, words) in turn; WebVTT voice tags or SRT « NOM : » openings."""
    import webvtt
    from webvtt.models import Caption, Timestamp

    captions, at = [], start_s
    for name, first, words in speakers:
        for n, line in enumerate(_cues(p.take(first, words))):
            if voice_tags:
                text = f"<v {name}>{line}"
            else:
                text = f"{name.upper()} : {line}" if n == 0 else line
            captions.append(Caption(str(Timestamp.from_seconds(at)), str(Timestamp.from_seconds(at + CUE_SECONDS)),
                                    text))
            at += CUE_SECONDS
    vtt = webvtt.WebVTT(captions=captions)
    if voice_tags:
        vtt.save(str(path))
    else:
        vtt.save_as_srt(str(path))


def write_scanned_pdf(path: Path) -> None:
    """An image-only PDF (no text layer): page SCANNED_PAGE - 1 of the proceedings scanned so badly
    (at 30 dpi) that it is illegible — reported, not indexed — then page SCANNED_PAGE scanned well."""
    import pypdfium2

    pdf = pypdfium2.PdfDocument(str(PROCEEDINGS))
    scans = [pdf[n - 1].render(scale=SCAN_DPI / 72, grayscale=True).to_pil().convert("L")
             for n in (SCANNED_PAGE - 1, SCANNED_PAGE)]
    pdf.close()
    size = scans[0].size
    scans[0] = scans[0].resize((size[0] * 30 // SCAN_DPI, size[1] * 30 // SCAN_DPI)).resize(size)
    scans[0].save(str(path), "PDF", resolution=SCAN_DPI, save_all=True, append_images=scans[1:],
                  title="Actes 2020, pages scannées", author=AUTHOR)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default=str(REPO / "tests" / "data" / "publications"))
    out = Path(ap.parse_args().out)
    out.mkdir(parents=True, exist_ok=True)
    p = Proceedings()
    write_docx(p, out / "kit-metiers-catalyse.docx")
    write_odt(p, out / "kit-engagement-entreprises.odt")
    write_pptx(p, out / "presentation-metiers.pptx")
    write_odp(p, out / "presentation-institutions.odp")
    write_html(p, out / "temoignage-reseau-alliances.html")
    write_subtitles(p, out / "webinaire-engagement.vtt",
                    [("Emeric Oudin", "Il y a des entreprises qui sont prêtes", 110),
                     ("Olivier Guilbaud", "L’engagement territorial est important et nécessaire", 170)], 720, True)
    (out / "webinaire-engagement.meta.json").write_text(json.dumps(
        {"title": "Webinaire : l’engagement territorial des entreprises", "date": "2020-07-08", "genre": "video",
         "video_url": "https://video.example.org/webinaire-engagement.mp4"}, ensure_ascii=False, indent=2) + "\n")
    write_subtitles(p, out / "mooc-ptce.srt",
                    [("Jean-Marc Semoulin", "Je suis Directeur d’une structure d’insertion", 140),
                     ("Delphine Vandevoorde", "La Fondation de Lille est créée", 120)], 180, False)
    write_scanned_pdf(out / "actes-page-scannee.pdf")
    for f in sorted(out.iterdir()):
        print(f"{f.name}: {f.stat().st_size:,} octets")


if __name__ == "__main__":
    main()
