"""Publications as editors have them — Word, LibreOffice, PowerPoint, Impress, web pages, WebVTT and
SRT subtitles, scanned PDFs — read by the real libraries from files made from the proceedings'
own text (scripts/make_test_publications.py), then added through the API and found again with
their section and their page, slide or time."""
import io
import json
import re
import zipfile
from pathlib import Path

import httpx
import pytest

from conftest import AUTH, PROCEEDINGS, wait_for_job

PUBLICATIONS = Path(__file__).parent / "data" / "publications"
VIDEO_URL = "https://video.example.org/webinaire-engagement.mp4"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def flat(text: str) -> str:
    return " ".join(text.split())


# -- readers ------------------------------------------------------------------------------------------
@pytest.mark.parametrize("seconds, said", [(760, "12 min 40 s"), (45.9, "45 s"), (3725, "1 h 02 min 05 s"),
                                           (605, "10 min 05 s")])
def test_times_are_said_in_french(seconds, said):
    from ingest.document import spoken_time

    assert spoken_time(seconds) == said


def test_word_headings_from_styles_lists_whole_and_properties():
    from ingest.readers import read_document
    from ingest.structure import segments_of

    doc = read_document(PUBLICATIONS / "kit-metiers-catalyse.docx")
    assert doc.unit == "" and doc.title == "Kit : les métiers de la catalyse"
    assert doc.metadata["author"] == "Réseau des pionniers des alliances en Territoire"
    assert doc.metadata["date"] == "2020-07-08"
    assert [(h.level, h.title) for h in doc.headings][:3] == [
        (0, "Les métiers de la catalyse territoriale"), (1, "Introduction par Elodie Jullien"),
        (1, "Les 7 leviers de la co-construction territoriale")]
    sections = {s.section for s in segments_of(doc)}
    assert ("Les métiers de la catalyse territoriale", "Les métiers en pratique",
            "Le dialogue territorial à Paris Est Marne & Bois") in sections
    [span] = doc.lists      # the list of levers with the line that introduces it
    listed = doc.text[span[0]:span[1]]
    assert listed.startswith("Chaque territoire") and listed.count("\n- ") == 7 and "Evaluer sa pertinence" in listed


def test_metadata_file_wins_over_the_file_properties():
    from ingest.readers import read_document

    doc = read_document(PUBLICATIONS / "kit-engagement-entreprises.odt", {"title": "Titre éditorial", "date": "2021"})
    assert doc.title == "Titre éditorial" and doc.metadata["date"] == "2021"
    assert doc.metadata["author"] == "Réseau des pionniers des alliances en Territoire"


def test_slides_are_pages_with_their_notes():
    from ingest.readers import read_document

    for name, slides in (("presentation-metiers.pptx", 5), ("presentation-institutions.odp", 3)):
        doc = read_document(PUBLICATIONS / name)
        assert doc.unit == "slide" and doc.pages == slides
        notes = doc.text.index("Notes : ", doc.page_starts[-1])
        assert doc.page_at(notes) == slides      # the last slide's notes belong to the last slide
        assert [h.title for h in doc.headings][-1] in doc.text[doc.page_starts[-1]:]


def test_web_page_main_text_only_with_its_canonical_url():
    from ingest.readers import read_document

    doc = read_document(PUBLICATIONS / "temoignage-reseau-alliances.html")
    assert doc.metadata["source_url"] == "https://www.example.org/temoignages/reseau-alliances"
    assert [h.title for h in doc.headings] == ["Le Réseau Alliances, un réseau d'entreprises territoriales",
                                               "L'innovation sociale au sein du Réseau", "Les 7 leviers"]
    for noise in ("Mentions légales", "Lettre d'information", "analytics", "Bandeau publicitaire", "fin de page",
                  "À lire aussi"):
        assert noise not in doc.text


def test_a_saved_page_without_canonical_link_keeps_the_address_it_was_saved_from(tmp_path):
    from ingest.readers import read_document

    page = tmp_path / "kit.html"
    page.write_text("<!DOCTYPE html>\n<!-- saved from url=(0045)https://www.example.org/kits/tiers-lieux.html -->\n"
                    "<html><head><title>Kit</title></head><body><article><h1>Le kit</h1><p>Un tiers-lieu géré par des "
                    "jeunes accueille les porteurs de projets du quartier, avec un fablab.</p></article></body></html>",
                    encoding="utf-8")
    assert read_document(page).metadata["source_url"] == "https://www.example.org/kits/tiers-lieux.html"


@pytest.mark.parametrize("name, speakers, first", [
    ("webinaire-engagement.vtt", ["Emeric Oudin", "Olivier Guilbaud"], 720.0),
    ("mooc-ptce.srt", ["Jean-Marc Semoulin", "Delphine Vandevoorde"], 180.0),
])
def test_subtitles_keep_times_and_speakers(name, speakers, first):
    import webvtt

    from ingest.readers import read_document

    doc = read_document(PUBLICATIONS / name)
    assert doc.unit == "time" and doc.cues[0].time_start == first
    assert list(dict.fromkeys(c.speaker for c in doc.cues)) == speakers
    assert "JEAN-MARC SEMOULIN :" not in doc.text and "<v " not in doc.text
    path = PUBLICATIONS / name
    captions = webvtt.read(str(path)).captions if name.endswith(".vtt") else webvtt.from_srt(str(path)).captions
    assert len(doc.cues) == len(captions)
    for cue, caption in zip(doc.cues, captions):
        assert cue.time_start == caption.start_time.in_milliseconds() / 1000
        assert flat(doc.text[cue.start:cue.end]) in flat(caption.text)


def test_ocr_recovers_the_words_of_a_scanned_page():
    """The image-only page is page 40 of the proceedings: its text layer is the reference."""
    import collections

    import pypdf

    from ingest.bounded import read_bounded

    doc = read_bounded(PUBLICATIONS / "actes-page-scannee.pdf")      # as the service reads it
    assert doc.pages == 2 and doc.ocr[0] is None and doc.ocr[1] > 0.8
    [warning] = doc.warnings        # the illegible page is reported, and its noise not indexed
    assert warning.startswith("page 1 : illisible par l'OCR (confiance") and not doc.text[:doc.page_starts[1]].strip()
    reference = collections.Counter(words(pypdf.PdfReader(str(PROCEEDINGS)).pages[39].extract_text()))
    read = collections.Counter(words(doc.text[doc.page_starts[1]:]))
    recovered = sum((reference & read).values()) / sum(reference.values())
    print(f"OCR: {recovered:.1%} of {sum(reference.values())} words recovered, confidence {doc.ocr[1]:.2f}")
    assert recovered >= 0.95


@pytest.mark.parametrize("data, name, suffix", [
    ((PUBLICATIONS / "kit-metiers-catalyse.docx").read_bytes(), "x.bin", ".docx"),
    ((PUBLICATIONS / "kit-engagement-entreprises.odt").read_bytes(), "x", ".odt"),
    ((PUBLICATIONS / "presentation-metiers.pptx").read_bytes(), "x.docx", ".pptx"),
    ((PUBLICATIONS / "presentation-institutions.odp").read_bytes(), "x.odt", ".odp"),
    ((PUBLICATIONS / "temoignage-reseau-alliances.html").read_bytes(), "page.txt", ".html"),
    ("<!-- saved from url=https://x.org -->\n<html><body><p>é</p></body></html>".encode("latin-1"), "p", ".html"),
    ((PUBLICATIONS / "webinaire-engagement.vtt").read_bytes(), "sous-titres.txt", ".vtt"),
    ((PUBLICATIONS / "mooc-ptce.srt").read_bytes(), "sous-titres", ".srt"),
    ((PUBLICATIONS / "actes-page-scannee.pdf").read_bytes(), "scan.png", ".pdf"),
    ("# Titre\n\nTexte.".encode(), "kit.md", ".md"),
    ("Texte.".encode(), "kit.html", ".txt"),
])
def test_uploads_are_typed_by_their_bytes(data, name, suffix):
    from ingest.sniff import upload_suffix

    assert upload_suffix(data, name) == suffix


def test_other_archives_and_binaries_are_refused_by_type():
    from ingest.errors import UnreadableDocument
    from ingest.sniff import upload_suffix

    sheet = io.BytesIO()
    with zipfile.ZipFile(sheet, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    for data, code in ((sheet.getvalue(), "unsupported_type"), (b"\x89PNG\r\n\x1a\n\x00", "unsupported_type"),
                       (b"PK\x03\x04" + b"\x00" * 40, "broken_docx")):
        with pytest.raises(UnreadableDocument) as err:
            upload_suffix(data, "kit.docx")
        assert err.value.code == code


# -- through the API ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def api(server):
    with httpx.Client(base_url=server["url"], timeout=300) as client:
        yield client


def _added(api, name: str, metadata: dict | None = None) -> dict:
    data = {"metadata": json.dumps(metadata)} if metadata else {}
    r = api.post("/api/documents", files={"file": (name, (PUBLICATIONS / name).read_bytes())}, data=data, headers=AUTH)
    assert r.status_code == 202, r.text
    done = wait_for_job(api, r.json())
    assert done["status"] == "terminé", done
    progress = done["progress"]      # what the editor page shows while the job runs
    assert progress["documents"] == 1 and progress["done"] == 1 and progress["passages"] > 0, progress
    return done


def _found(api, sentence: str, doc_id: str) -> dict:
    results = api.get("/api/search", params={"q": sentence, "doc": doc_id, "k": 3}).json()["results"]
    hit = next((r for r in results if flat(sentence) in flat(r["text"])), None)
    assert hit is not None, [r["text"][:80] for r in results]
    return hit


CASES = {   # file, a sentence of it, what its passage must say of where it comes from
    "docx": ("kit-metiers-catalyse.docx", "Rapidement, on a eu une envie d’agir collectivement",
             {"section": "Les métiers de la catalyse territoriale › Les métiers en pratique › "
                         "Le dialogue territorial à Paris Est Marne & Bois",
              "location": None, "url": "/corpus/kit-metiers-catalyse.docx"}),
    "odt": ("kit-engagement-entreprises.odt", "Odyssée Nature est une offre de visite sur notre domaine",
            {"section": "L’engagement territorial des entreprises › "
                        "Témoignage d’Olivier Guilbaud, Laboratoire Science et Nature",
             "location": None, "url": "/corpus/kit-engagement-entreprises.odt"}),
    "pptx": ("presentation-metiers.pptx", "Notre premier public, ce sont les jeunes.",
             {"section": "La gestion d’un lieu", "slide": 5, "location": "diapositive 5",
              "url": "/corpus/presentation-metiers.pptx#slide=5"}),
    "odp": ("presentation-institutions.odp", "La Banque des territoires accompagne les territoires en ingénierie",
            {"section": "L’ingénierie de la Banque des Territoires", "slide": 3, "location": "diapositive 3",
             "url": "/corpus/presentation-institutions.odp#slide=3"}),
    "html": ("temoignage-reseau-alliances.html", "Nous sommes une association qui a été créée il y a 30 ans",
             {"section": "Le Réseau Alliances, un réseau d'entreprises territoriales › "
                         "L'innovation sociale au sein du Réseau",
              "location": None, "url": "https://www.example.org/temoignages/reseau-alliances"}),
    "webvtt": ("webinaire-engagement.vtt", "Odyssée Nature est une offre de visite sur notre domaine",
               {"speaker": "Olivier Guilbaud"}),
    "srt": ("mooc-ptce.srt", "La Fondation de Lille est créée à l’initiative de Pierre Mauroy",
            {"speaker": "Delphine Vandevoorde"}),
    "scanned": ("actes-page-scannee.pdf", "Elle se traduit par une ingénierie qui se matérialise par 4 métiers",
                {"page_start": 2, "location": "p. 2", "url": "/corpus/actes-page-scannee.pdf#page=2"}),
}


@pytest.mark.parametrize("fmt", list(CASES))
def test_each_format_is_added_searched_and_cited(api, fmt):
    name, sentence, expected = CASES[fmt]
    doc_id = Path(name).stem
    meta = {"video_url": VIDEO_URL} if fmt == "webvtt" else None
    before = api.get("/health").json()["index"]
    job = _added(api, name, meta)
    try:
        hit = _found(api, sentence, doc_id)
        for key, value in expected.items():
            assert hit[key] == value, (key, hit[key])
        if fmt in ("webvtt", "srt"):
            _check_time(hit, name, sentence, video=VIDEO_URL if fmt == "webvtt" else None)
        if fmt == "scanned":
            assert 0.8 < hit["ocr_confidence"] <= 1 and "page 1 : illisible par l'OCR" in job["message"]
        else:
            assert hit["ocr_confidence"] is None
        page = api.get("/", params={"q": sentence, "doc": doc_id}).text
        if hit["location"]:
            assert f", {hit['location']}</a>" in page
        if fmt == "scanned":
            assert "texte reconnu par OCR (confiance" in page
    finally:
        removed = wait_for_job(api, api.delete(f"/api/documents/{doc_id}", headers=AUTH).json())
        assert removed["status"] == "terminé"
    after = api.get("/health").json()["index"]
    assert (after["documents"], after["passages"]) == (before["documents"], before["passages"])


def _check_time(hit: dict, name: str, sentence: str, video: str | None) -> None:
    """The passage's times are those of the cues it spans; it cites and links its start."""
    import bisect

    import webvtt

    from ingest.document import spoken_time

    path = PUBLICATIONS / name
    captions = webvtt.read(str(path)).captions if name.endswith(".vtt") else webvtt.from_srt(str(path)).captions
    joined, starts = "", []
    for caption in captions:
        starts.append(len(joined))
        joined += flat(caption.text) + " "
    cue = captions[bisect.bisect_right(starts, joined.index(flat(sentence))) - 1]   # where the sentence begins
    assert hit["time_start"] <= cue.start_time.in_milliseconds() / 1000 < hit["time_end"]
    assert hit["time_start"] in [c.start_time.in_milliseconds() / 1000 for c in captions]
    assert hit["location"] == f"à {spoken_time(hit['time_start'])}" and " min " in hit["location"]
    anchor = f"t={int(hit['time_start'])}"
    assert hit["url"] == (f"{video}#{anchor}" if video else f"/corpus/{name}#{anchor}")


def _truncated(name: str) -> bytes:
    data = (PUBLICATIONS / name).read_bytes()
    return data[:len(data) // 2]


BROKEN = [
    ("kit-metiers-catalyse.docx", _truncated("kit-metiers-catalyse.docx"), 422, "broken_docx"),
    ("kit-engagement-entreprises.odt", _truncated("kit-engagement-entreprises.odt"), 422, "broken_odt"),
    ("presentation-metiers.pptx", _truncated("presentation-metiers.pptx"), 422, "broken_pptx"),
    ("presentation-institutions.odp", _truncated("presentation-institutions.odp"), 422, "broken_odp"),
    ("page.html", b"<!DOCTYPE html><html><head><script>var x = 1;</script></head><body><nav><a href='/'>Accueil</a>"
                  b"</nav><footer>Mentions</footer></body></html>", 422, "no_text"),
    ("sous-titres.vtt", _truncated("webinaire-engagement.vtt") + b"\n\n00:14:00.000 --> 00:1", 422, "broken_webvtt"),
    ("sous-titres.srt", b"1\n00:00:01,000 --> 00:00:0x,000\nBonjour\n\n2\n00:00:05,000 --> 00:00:09,000\nMerci\n",
     422, "broken_srt"),
    ("scan.pdf", _truncated("actes-page-scannee.pdf"), 422, "broken_pdf"),
]


@pytest.mark.parametrize("name, content, status, code", BROKEN, ids=[b[3] + "-" + Path(b[0]).suffix for b in BROKEN])
def test_a_broken_file_of_each_format_is_refused_and_changes_nothing(api, name, content, status, code):
    before = api.get("/health").json()["index"]
    r = api.post("/api/documents", files={"file": (name, content)}, headers=AUTH)
    assert r.status_code == status and r.json()["error"]["code"] == code, r.text
    assert r.json()["error"]["message"]
    assert api.get("/health").json()["index"] == before


def test_a_folder_is_ingested_with_one_bar_and_a_summary(settings, tmp_path):
    """The command line over a folder: one overall bar, then the summary table with the refused
    files and their reason; the readable files are indexed all the same."""
    import subprocess
    import sys

    folder = tmp_path / "dossier"
    folder.mkdir()
    for n in range(3):
        (folder / f"fiche-{n}.md").write_text(f"# Fiche {n}\n\n" + "Un tiers-lieu accueille les habitants du "
                                              f"quartier numéro {n} pour des ateliers de réparation. " * 4,
                                              encoding="utf-8")
    (folder / "zz-copie.md").write_text((folder / "fiche-0.md").read_text(encoding="utf-8"), encoding="utf-8")
    (folder / "casse.docx").write_bytes(_truncated("kit-metiers-catalyse.docx"))
    (folder / "fiche-1.txt").write_text("Une autre fiche sous le même nom, que rien ne doit écraser.", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "api.cli", "--data-dir", str(tmp_path / "data"), "ingest",
                           str(folder)], capture_output=True, text=True, timeout=600,
                          env={**__import__("os").environ, "CATALYSE_MODEL_CACHE": str(settings.model_cache)})
    assert done.returncode == 0, done.stderr
    assert done.stderr.count("documents [") >= 1 and "Batches" not in done.stderr
    out = done.stdout
    assert re.search(r"ajoutés\s+3\s", out) and re.search(r"refusés\s+3\s", out), out
    for refused in ("casse (broken_docx)", "zz-copie (duplicate_document)", "fiche-1 (duplicate_document)"):
        assert f"refusé : {refused}" in out, out
