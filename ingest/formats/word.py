"""Word (.docx, python-docx) and LibreOffice Writer (.odt, odfdo): headings from the document's
styles become sections, lists and tables stay whole, the document's properties fill the metadata."""
from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..errors import UnreadableDocument
from .builder import Draft, TextBuilder

HEADING_STYLE = re.compile(r"^(?:heading|titre)\s*(\d)$", re.I)
LIST_STYLE = re.compile(r"^(?:list|liste)", re.I)


def _broken(path: Path, kind: str, exc: Exception) -> UnreadableDocument:
    return UnreadableDocument(f"{path.name} : fichier {kind} illisible ({type(exc).__name__})",
                              f"broken_{path.suffix.lower().lstrip('.')}")


# -- Word ----------------------------------------------------------------------------------------
def _outline_level(element) -> int | None:
    found = element.xpath("./w:pPr/w:outlineLvl/@w:val")
    return int(found[0]) + 1 if found and found[0].isdigit() and int(found[0]) < 9 else None


def _docx_heading(paragraph) -> int | None:
    """The level of a heading paragraph: a « Heading n » / « Titre n » style (or one based on it),
    « Title » above them, else an outline level set on the paragraph or its style."""
    style = paragraph.style
    while style is not None:
        if style.name == "Title":
            return 0
        m = HEADING_STYLE.match(style.name or "")
        if m:
            return int(m.group(1))
        level = _outline_level(style.element)
        if level:
            return level
        style = style.base_style
    return _outline_level(paragraph._p)


def _docx_list_item(paragraph) -> bool:
    if paragraph._p.xpath("./w:pPr/w:numPr"):
        return True
    style = paragraph.style
    while style is not None:
        if LIST_STYLE.match(style.name or "") or style.element.xpath("./w:pPr/w:numPr"):
            return True
        style = style.base_style
    return False


def _table_rows(rows) -> list[str]:
    out = []
    for row in rows:
        cells = [" ".join(c.split()) for c in row]
        out.append(" ; ".join(dict.fromkeys(c for c in cells if c)))   # merged cells repeat their text
    return out


def read_docx(path: Path) -> Draft:
    import docx
    from docx.table import Table

    try:
        document = docx.Document(str(path))
        blocks = list(document.iter_inner_content())
        props = document.core_properties
        properties = {"title": props.title, "author": props.author,
                      "date": props.created.date().isoformat() if props.created else ""}
    except Exception as exc:   # python-docx raises zip, XML and key errors on broken files
        raise _broken(path, "Word", exc) from exc
    text = TextBuilder()
    items: list[str] = []
    for block in blocks:
        if not isinstance(block, Table) and block.text.strip() and _docx_list_item(block):
            items.append(block.text)
            continue
        if items:
            text.items(items)
            items = []
        if isinstance(block, Table):
            text.items(_table_rows([[cell.text for cell in row.cells] for row in block.rows]), marker="")
            continue
        level = _docx_heading(block)
        if level is not None:
            text.heading(block.text, level)
        else:
            text.paragraph(block.text)
    text.items(items)
    return text.draft("", properties)


# -- LibreOffice Writer -----------------------------------------------------------------------------
def odf_text(element) -> str:
    """An ODF element's text, spaces (text:s), tabs and line breaks included."""
    return " ".join(str(element).split())


def odf_list_items(element) -> list[str]:
    """The items of a text:list, nested ones flattened in order."""
    out = []
    for item in element.get_elements("text:list-item"):
        for child in item.children:
            if child.tag in ("text:p", "text:h"):
                out.append(odf_text(child))
            elif child.tag == "text:list":
                out.extend(odf_list_items(child))
    return out


def _odt_blocks(container, text: TextBuilder) -> None:
    for child in container.children:
        tag = child.tag
        if tag == "text:h":
            text.heading(odf_text(child), int(child.get_attribute("text:outline-level") or 1))
        elif tag == "text:p":
            text.paragraph(odf_text(child))
        elif tag == "text:list":
            text.items(odf_list_items(child))
        elif tag == "table:table":
            rows = [[odf_text(cell) for cell in row.get_elements("table:table-cell")]
                    for row in child.get_elements(".//table:table-row")]
            text.items(_table_rows(rows), marker="")
        elif tag in ("text:section", "text:index-body"):
            _odt_blocks(child, text)


def odf_properties(document) -> dict:
    meta = document.meta
    created = meta.creation_date or meta.date
    return {"title": meta.title, "author": meta.initial_creator or meta.creator,
            "date": created.date().isoformat() if created else ""}


def open_odf(path: Path, kind: str, mimetype: str):
    import odfdo

    try:
        with zipfile.ZipFile(path) as archive:
            found = archive.read("mimetype").decode("ascii", "replace").strip()
        if found != mimetype:
            raise ValueError(f"type {found!r}")
        return odfdo.Document(str(path))
    except Exception as exc:   # odfdo raises zip, XML and value errors on broken files
        raise _broken(path, kind, exc) from exc


def read_odt(path: Path) -> Draft:
    document = open_odf(path, "LibreOffice", "application/vnd.oasis.opendocument.text")
    text = TextBuilder()
    try:
        _odt_blocks(document.body, text)
        properties = odf_properties(document)
    except Exception as exc:
        raise _broken(path, "LibreOffice", exc) from exc
    return text.draft("", properties)
