"""« Mon dossier »: passages a reader keeps, in their order, each with a note, exported as Markdown
or Word (python-docx) with a bibliography. Everything is built here from passage ids, so the
citations are the index's own (publication, page, section, speaker, link), never the browser's."""
from __future__ import annotations

import io
from datetime import date

from docx import Document
from docx.shared import Pt

from search.records import record
from search.searcher import Searcher

from .render import enrich

MAX_ITEMS = 50            # a dossier is a selection, not an export of the corpus
MAX_NOTE_CHARS = 2000
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def items(searcher: Searcher, ids: list[str], notes: list[str]) -> tuple[list[dict], list[str]]:
    """The dossier's passages in the reader's order (each record with its ``note``), and the ids
    no longer in the index (a publication removed since)."""
    store, sources = searcher.index.store, searcher.sources
    found, missing = [], []
    for i, passage_id in enumerate(dict.fromkeys(ids[:MAX_ITEMS])):
        vid = store.vid_of(passage_id)
        passage = store.passages([vid]).get(vid) if vid is not None else None
        if passage is None:
            missing.append(passage_id)
            continue
        note = (notes[i] if i < len(notes) else "").strip()[:MAX_NOTE_CHARS]
        rec = enrich(record(passage, 0.0, searcher.titles.get(passage.doc_id, passage.doc_id)), set(), sources)
        found.append({**rec, "note": note, "citation": citation(rec)})
    return found, missing


def citation(r: dict) -> str:
    """« Titre, p. 12, Intervenant (Organisation) »."""
    speaker = r["speaker"] + (f" ({r['organisation']})" if r.get("organisation") else "") if r["speaker"] else None
    return ", ".join(p for p in (r["doc_title"], r["location"], speaker) if p)


def absolute(url: str | None, base: str) -> str | None:
    return None if not url else url if url.startswith(("http://", "https://")) else base.rstrip("/") + url


def _references(found: list[dict]) -> list[dict]:
    """The bibliography: one entry per publication, with the pages cited, in order of first citation."""
    refs: dict[str, dict] = {}
    for r in found:
        ref = refs.setdefault(r["doc_id"], {"title": r["doc_title"], "places": [], "speakers": []})
        if r["location"] and r["location"] not in ref["places"]:
            ref["places"].append(r["location"])
        if r["speaker"] and r["speaker"] not in ref["speakers"]:
            ref["speakers"].append(r["speaker"])
    return list(refs.values())


def markdown(found: list[dict], base: str, share: str) -> str:
    lines = [f"# Mon dossier Catalyse — {date.today():%d/%m/%Y}", "",
             f"{len(found)} passage{'s' if len(found) > 1 else ''}. Lien pour rouvrir ce dossier : <{share}>", ""]
    for n, r in enumerate(found, 1):
        lines += [f"## {n}. {r['citation']}", ""]
        if r["section"]:
            lines += [f"*{r['section']}*", ""]
        lines += ["> " + " ".join(r["text"].split()), ""]
        link = absolute(r["url"], base)
        if link:
            lines += [f"Source : <{link}>", ""]
        if r["note"]:
            lines += ["**Ma note :** " + r["note"], ""]
    lines += ["## Bibliographie", ""]
    for ref in _references(found):
        lines.append("- " + _reference_text(ref))
    return "\n".join(lines) + "\n"


def _reference_text(ref: dict) -> str:
    out = ref["title"]
    if ref["places"]:
        out += " — " + ", ".join(ref["places"])
    if ref["speakers"]:
        out += " — intervenants : " + ", ".join(ref["speakers"])
    return out


def docx(found: list[dict], base: str, share: str) -> bytes:
    doc = Document()
    doc.core_properties.title = "Mon dossier Catalyse"
    doc.add_heading(f"Mon dossier Catalyse — {date.today():%d/%m/%Y}", level=0)
    doc.add_paragraph(f"{len(found)} passage{'s' if len(found) > 1 else ''}. Lien pour rouvrir ce dossier : {share}")
    for n, r in enumerate(found, 1):
        doc.add_heading(f"{n}. {r['citation']}", level=1)
        if r["section"]:
            doc.add_paragraph(r["section"]).runs[0].italic = True
        quote = doc.add_paragraph(" ".join(r["text"].split()), style="Quote")
        quote.paragraph_format.left_indent = Pt(18)
        link = absolute(r["url"], base)
        if link:
            doc.add_paragraph(f"Source : {link}")
        if r["note"]:
            note = doc.add_paragraph()
            note.add_run("Ma note : ").bold = True
            note.add_run(r["note"])
    doc.add_heading("Bibliographie", level=1)
    for ref in _references(found):
        doc.add_paragraph(_reference_text(ref), style="List Bullet")
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
