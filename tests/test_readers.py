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
    ("image.docx", b"PK\x03\x04", "unsupported_format"),
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
    assert doc.page_at(doc.text.index("Témoignage d’Olivier GUILBAUD")) == 29
