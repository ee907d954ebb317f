"""PowerPoint (.pptx, python-pptx) and LibreOffice Impress (.odp, odfdo): one slide is the unit of
provenance (« diapositive 7 »); its title is its section, its text frames in reading order, its
speaker notes indexed with it."""
from __future__ import annotations

from pathlib import Path

from ..errors import UnreadableDocument
from .builder import Draft, TextBuilder
from .word import _broken, _table_rows, odf_list_items, odf_properties, odf_text, open_odf

NOTES = "Notes : "


def _slide(text: TextBuilder, number: int, title: str, frames: list[list[str]], notes: str) -> None:
    text.page()
    text.heading(title.strip() or f"Diapositive {number}", 1)
    for paragraphs in frames:
        paragraphs = [p for p in paragraphs if p.strip()]
        if len(paragraphs) > 1:
            text.items(paragraphs)        # bullet points: one list, kept together
        elif paragraphs:
            text.paragraph(paragraphs[0])
    if notes.strip():
        text.paragraph(NOTES + notes)


def _check(path: Path, draft: Draft) -> Draft:
    if not draft.page_starts or not draft.headings:
        raise UnreadableDocument(f"{path.name} : aucune diapositive", "no_text")
    return draft


# -- PowerPoint -------------------------------------------------------------------------------------
def _pptx_frames(shapes) -> list[list[str]]:
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    out = []
    for shape in sorted(shapes, key=lambda s: (s.top or 0, s.left or 0)):
        if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
            out += _pptx_frames(shape.shapes)
        elif shape.has_text_frame:
            out.append([p.text for p in shape.text_frame.paragraphs])
        elif getattr(shape, "has_table", False) and shape.has_table:
            out.append(_table_rows([[cell.text for cell in row.cells] for row in shape.table.rows]))
    return out


def read_pptx(path: Path) -> Draft:
    import pptx

    text = TextBuilder()
    try:
        deck = pptx.Presentation(str(path))
        for number, slide in enumerate(deck.slides, 1):
            title_shape = slide.shapes.title
            title = title_shape.text_frame.text if title_shape is not None and title_shape.has_text_frame else ""
            others = [s for s in slide.shapes if title_shape is None or s.shape_id != title_shape.shape_id]
            notes = slide.notes_slide.notes_text_frame.text if slide.has_notes_slide and \
                slide.notes_slide.notes_text_frame is not None else ""
            _slide(text, number, title, _pptx_frames(others), notes)
        props = deck.core_properties
        properties = {"title": props.title, "author": props.author,
                      "date": props.created.date().isoformat() if props.created else ""}
    except Exception as exc:   # python-pptx raises zip, XML and key errors on broken files
        raise _broken(path, "PowerPoint", exc) from exc
    return _check(path, text.draft("slide", properties))


# -- LibreOffice Impress ------------------------------------------------------------------------------
def _odp_frame_text(frame) -> list[str]:
    out = []
    for box in frame.get_elements("draw:text-box"):
        for child in box.children:
            if child.tag in ("text:p", "text:h"):
                out.append(odf_text(child))
            elif child.tag == "text:list":
                out.extend(odf_list_items(child))
    for table in frame.get_elements("table:table"):
        out += _table_rows([[odf_text(cell) for cell in row.get_elements("table:table-cell")]
                            for row in table.get_elements(".//table:table-row")])
    return out


def read_odp(path: Path) -> Draft:
    document = open_odf(path, "LibreOffice Impress", "application/vnd.oasis.opendocument.presentation")
    text = TextBuilder()
    try:
        for number, page in enumerate(document.body.get_elements("draw:page"), 1):
            title, frames, notes = "", [], []
            for frame in page.get_elements(".//draw:frame"):     # groups (draw:g) included
                if frame.parent is not None and frame.parent.tag == "presentation:notes":
                    continue
                paragraphs = _odp_frame_text(frame)
                if frame.get_attribute("presentation:class") == "title" and not title:
                    title = " ".join(paragraphs)
                elif paragraphs:
                    frames.append(paragraphs)
            for note in page.get_elements("presentation:notes"):
                for frame in note.get_elements("draw:frame"):
                    notes += _odp_frame_text(frame)
            _slide(text, number, title, frames, " ".join(notes))
        properties = odf_properties(document)
    except Exception as exc:
        raise _broken(path, "LibreOffice Impress", exc) from exc
    return _check(path, text.draft("slide", properties))
