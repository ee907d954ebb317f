"""Readers for PDF, Markdown and text, and their clear errors."""
import pytest

from ingest.errors import UnreadableDocument
from ingest.readers import read_document
from ingest.structure import segments_of


def test_markdown_title_and_sections(tmp_path):
    path = tmp_path / "kit-alliances.md"
    path.write_text("# Kit des alliances\n\nIntroduction du kit.\n\n## Étape 1 : se connaître\n\nFaire connaissance.\n"
                    "\n## Étape 2 : agir\n\nAgir ensemble.\n", encoding="utf-8")
    doc = read_document(path)
    assert doc.title == "Kit des alliances" and doc.id == "kit-alliances" and doc.pages == 1
    sections = [s.section for s in segments_of(doc)]
    assert sections == [("Kit des alliances",), ("Kit des alliances", "Étape 1 : se connaître"),
                        ("Kit des alliances", "Étape 2 : agir")]


def test_text_title_from_first_line_and_metadata_wins(tmp_path):
    path = tmp_path / "note.txt"
    path.write_text("Note de terrain\nUn tiers-lieu à Orléans.\n", encoding="utf-8")
    assert read_document(path).title == "Note de terrain"
    assert read_document(path, {"title": "Titre éditorial"}).title == "Titre éditorial"


@pytest.mark.parametrize("name, content, code", [
    ("vide.txt", b"", "no_text"),
    ("blanc.md", b"   \n\n  ", "no_text"),
    ("latin1.txt", "Un texte accentué : é à ç".encode("latin-1"), "not_utf8"),
    ("casse.pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer <<>>\n%%EOF", "broken_pdf"),
    ("tronque.pdf", None, "broken_pdf"),
    ("classeur.xlsx", b"PK\x03\x04", "unsupported_format"),
    ("casse.docx", b"PK\x03\x04", "broken_docx"),
    ("casse.pptx", b"PK\x03\x04" + b"\x00" * 100, "broken_pptx"),
    ("casse.odp", b"PK\x03\x04", "broken_odp"),
    ("vide.vtt", b"WEBVTT\n\n", "no_text"),
    ("sans-entete.vtt", b"00:00:01.000 --> 00:00:02.000\nBonjour\n", "broken_webvtt"),
])
def test_bad_files_give_a_clear_error(tmp_path, name, content, code):
    from conftest import PROCEEDINGS

    if content is None:
        content = PROCEEDINGS.read_bytes()[:5000]
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(UnreadableDocument) as err:
        read_document(path)
    assert err.value.code == code and name in str(err.value)


def test_pdf_pages_match_the_printed_numbers():
    from conftest import PROCEEDINGS

    doc = read_document(PROCEEDINGS)
    assert doc.pages == 63
    assert doc.warnings == [] and not any(doc.ocr)     # its four blank pages hold nothing to read, or to report
    assert doc.page_at(doc.text.index("Témoignage d’Olivier GUILBAUD")) == 29


def test_encrypted_and_image_only_pdfs_are_refused(tmp_path):
    import pypdf

    from conftest import PROCEEDINGS
    from pdfgen import make_pdf

    writer = pypdf.PdfWriter(clone_from=str(PROCEEDINGS))
    writer.encrypt("secret")
    locked = tmp_path / "verrouille.pdf"
    with open(locked, "wb") as handle:
        writer.write(handle)
    with pytest.raises(UnreadableDocument) as err:
        read_document(locked)
    assert err.value.code == "encrypted_pdf"

    scanned = make_pdf(tmp_path / "scan.pdf", [[], []])   # pages without any text, as a scan
    with pytest.raises(UnreadableDocument) as err:
        read_document(scanned)
    assert err.value.code == "no_text" and "scanné" in str(err.value)


def test_the_bounded_reader_gives_the_same_document_or_the_same_error(tmp_path):
    from conftest import PROCEEDINGS
    from ingest.bounded import read_bounded

    assert read_bounded(PROCEEDINGS).text == read_document(PROCEEDINGS).text
    broken = tmp_path / "casse.pdf"
    broken.write_bytes(b"%PDF-1.7 nothing else")
    with pytest.raises(UnreadableDocument) as err:
        read_bounded(broken)
    assert err.value.code == "broken_pdf"
    slow = tmp_path / "lent.pdf"
    slow.write_bytes(PROCEEDINGS.read_bytes())
    with pytest.raises(UnreadableDocument) as err:
        read_bounded(slow, timeout=0.05)
    assert err.value.code == "too_slow"
