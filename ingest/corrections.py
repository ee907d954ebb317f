"""Editors' corrections of the tags, kept apart from the index so they outlive it.

One file, ``corrections.jsonl`` in the data directory: one line per corrected passage or publication,
rewritten whole and atomically at each edit (it is small: one line per passage an editor touched).
A passage is found again by its id (``Passage.make_id``: document, offset and text), else by its
document and the hash of its text — so a correction survives reindexing, a new tagging model and an
edit of the publication elsewhere; a passage whose text changed is no longer the one corrected.

What a correction does to a passage's automatic tags, applied whenever it is (re)indexed:
first the publication's corrections, then the passage's own; in each, a confirmed label set replaces
the tags, then added labels are put in (score 1) and removed ones taken out, and an entry point given
replaces the tagger's. Applying twice gives the same tags, so the live index (already corrected) can
be corrected again. Confirmed passages are the labelled rows the next ``catalyse train-tags`` reads.
"""
from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import dataclass, field
from pathlib import Path

from .document import Label, Passage, Tags
from .errors import CatalyseError
from .tag_model import MULTI
from .taxonomy import taxonomy

FILE_NAME = "corrections.jsonl"
LABEL_FIELDS = MULTI + ("entry_point",)
EDITORIAL = "étiquette éditoriale"       # the evidence of a label an editor gave


class UnknownLabel(CatalyseError):
    code = "unknown_label"


class BadCorrection(CatalyseError):
    code = "bad_correction"


class UnknownPassage(CatalyseError):
    code = "unknown_passage"


def text_hash(text: str) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:16]


def _term(facet: str, value):
    """The taxonomy's term for ``value`` (``sdg``: 7 or "7"), or UnknownLabel."""
    tax = taxonomy()["entry_points" if facet == "entry_point" else facet]
    term = next((t for t in tax if str(t.id) == str(value).strip()), None)
    if term is None:
        raise UnknownLabel(f"étiquette inconnue pour {facet} : {value!r}")
    return term


@dataclass
class Edit:
    """What an editor asks, checked against the taxonomies: on one passage, or (``passage_id`` None)
    on every passage of a publication."""

    doc_id: str
    passage_id: str | None = None
    confirm: bool = False
    add: dict[str, list] = field(default_factory=dict)       # facet → label ids (levers, sdg, trades)
    remove: dict[str, list] = field(default_factory=dict)
    entry_point: str | None = None

    @classmethod
    def parse(cls, doc_id: str, passage_id: str | None = None, confirm: bool = False, add: dict | None = None,
              remove: dict | None = None, entry_point: str | None = None) -> "Edit":
        """Identifiers normalised (ODD as integers); unknown facets or labels and contradictions refused."""
        def ids(given: dict | None) -> dict[str, list]:
            out = {}
            for facet, values in (given or {}).items():
                if facet not in MULTI:
                    raise UnknownLabel(f"facette inconnue : {facet!r} (levers, sdg, trades ; le point d'entrée "
                                       f"se donne par entry_point)")
                if not isinstance(values, list):
                    raise BadCorrection(f"{facet} : une liste d'identifiants est attendue")
                out[facet] = list(dict.fromkeys(_term(facet, v).id for v in values))
            return {f: v for f, v in out.items() if v}

        edit = cls(doc_id, passage_id or None, bool(confirm), ids(add), ids(remove),
                   _term("entry_point", entry_point).id if entry_point else None)
        both = [f"{f} {i}" for f in MULTI for i in edit.add.get(f, []) if i in edit.remove.get(f, [])]
        if both:
            raise BadCorrection(f"étiquette à la fois ajoutée et retirée : {', '.join(both)}")
        if not (edit.confirm or edit.add or edit.remove or edit.entry_point):
            raise BadCorrection("correction vide : confirmer, ajouter, retirer ou donner un point d'entrée")
        return edit


def _label_ids(tags: Tags) -> dict:
    return {**{f: [l.id for l in getattr(tags, f)] for f in MULTI},
            "entry_point": tags.entry_point.id if tags.entry_point else None}


@dataclass
class Record:
    """The corrections of one passage (or, ``passage_id`` None, of a whole publication)."""

    doc_id: str
    passage_id: str | None = None
    text_hash: str | None = None
    add: dict[str, list] = field(default_factory=dict)
    remove: dict[str, list] = field(default_factory=dict)
    entry_point: str | None = None
    labels: dict | None = None        # confirmed: the passage's whole label set
    passage: dict | None = None       # what training needs: text, section, section_kind, doc_title
    updated_at: str = ""

    @property
    def confirmed(self) -> bool:
        return self.labels is not None

    def absorb(self, edit: Edit) -> None:
        """Take ``edit``'s additions, removals and entry point (the latest word on a label wins)."""
        for facet in MULTI:
            added, removed = edit.add.get(facet, []), edit.remove.get(facet, [])
            self.add[facet] = [i for i in self.add.get(facet, []) if i not in removed] + \
                [i for i in added if i not in self.add.get(facet, [])]
            self.remove[facet] = [i for i in self.remove.get(facet, []) if i not in added] + \
                [i for i in removed if i not in self.remove.get(facet, [])]
            if self.labels is not None:
                self.labels[facet] = [i for i in self.labels[facet] if i not in removed] + \
                    [i for i in added if i not in self.labels[facet]]
        self.add = {f: v for f, v in self.add.items() if v}
        self.remove = {f: v for f, v in self.remove.items() if v}
        if edit.entry_point:
            self.entry_point = edit.entry_point
            if self.labels is not None:
                self.labels["entry_point"] = edit.entry_point

    def forget(self, edit: Edit) -> None:
        """A publication-wide ``edit`` overrides what this passage's own record said of the same labels."""
        for facet in MULTI:
            touched = set(edit.add.get(facet, [])) | set(edit.remove.get(facet, []))
            for side in (self.add, self.remove):
                if facet in side:
                    side[facet] = [i for i in side[facet] if i not in touched]
        self.add = {f: v for f, v in self.add.items() if v}
        self.remove = {f: v for f, v in self.remove.items() if v}
        if edit.entry_point:
            self.entry_point = None

    def apply(self, tags: Tags) -> Tags:
        def editorial(facet: str, id_) -> Label:
            term = _term(facet, id_)
            return Label(id=term.id, label=term.label, score=1.0, evidence=[EDITORIAL])

        def certain(label: Label) -> Label:
            return Label(id=label.id, label=label.label, score=1.0, evidence=label.evidence)

        out = Tags(levers=list(tags.levers), sdg=list(tags.sdg), trades=list(tags.trades), entry_point=tags.entry_point)
        if self.labels is not None:
            for facet in MULTI:
                had = {l.id: l for l in getattr(out, facet)}
                setattr(out, facet, [certain(had[i]) if i in had else editorial(facet, i) for i in self.labels[facet]])
            entry = self.labels.get("entry_point")
            if entry:
                out.entry_point = certain(out.entry_point) if out.entry_point and out.entry_point.id == entry \
                    else editorial("entry_point", entry)
        for facet in MULTI:
            removed, added = self.remove.get(facet, []), self.add.get(facet, [])
            kept = [l for l in getattr(out, facet) if l.id not in removed]
            have = {l.id for l in kept}
            setattr(out, facet, [editorial(facet, i) for i in added if i not in have] +
                    [certain(l) if l.id in added else l for l in kept])
        if self.entry_point:
            out.entry_point = certain(out.entry_point) if out.entry_point and out.entry_point.id == self.entry_point \
                else editorial("entry_point", self.entry_point)
        return out

    def to_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}

    def training_row(self) -> dict | None:
        """A confirmed passage as a labelled row (ingest/taxonomy/labelled/labelled.jsonl's shape)."""
        if self.labels is None or not self.passage or not self.labels.get("entry_point"):
            return None
        p = self.passage
        section = " › ".join([p.get("doc_title") or self.doc_id, *p.get("section", [])])
        return {"id": f"editor:{self.passage_id}", "source": "editor", "doc_id": self.doc_id,
                "passage_id": self.passage_id, "group": f"{self.doc_id}#{' › '.join(p.get('section', []))}",
                "section": section, "section_kind": p.get("section_kind") or "text", "text": p["text"],
                "levers": list(self.labels["levers"]), "sdg": [int(i) for i in self.labels["sdg"]],
                "trades": list(self.labels["trades"]), "entry_point": self.labels["entry_point"]}


class Corrections:
    """The corrections file of a data directory, read whole (a few hundred lines at most)."""

    def __init__(self, path: Path, records: list[Record] | None = None):
        self.path = Path(path)
        self.records = records or []

    @classmethod
    def load(cls, data_dir: Path) -> "Corrections":
        path = Path(data_dir) / FILE_NAME
        if not path.exists():
            return cls(path)
        lines = path.read_text(encoding="utf-8").splitlines()
        return cls(path, [Record(**json.loads(line)) for line in lines if line.strip()])

    def save(self) -> None:
        """Write to a temporary file, flush it to disk, then rename it over the old one."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with open(tmp, "w", encoding="utf-8") as out:
            for record in self.records:
                out.write(json.dumps(record.to_dict(), ensure_ascii=False) + "\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, self.path)
        fd = os.open(self.path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)

    def __len__(self) -> int:
        return len(self.records)

    def digest(self) -> str:
        """Which corrections a snapshot holds (its config.json records it)."""
        blob = json.dumps([r.to_dict() for r in self.records], ensure_ascii=False, sort_keys=True)
        return hashlib.sha256(blob.encode()).hexdigest()[:12]

    # -- finding ----------------------------------------------------------------------------
    def of_document(self, doc_id: str) -> Record | None:
        return next((r for r in self.records if r.doc_id == doc_id and r.passage_id is None), None)

    def of_passage(self, passage: Passage) -> Record | None:
        """Its record by id, else by document and text (the passage moved within its publication)."""
        mine = [r for r in self.records if r.doc_id == passage.doc_id and r.passage_id is not None]
        found = next((r for r in mine if r.passage_id == passage.id), None)
        if found is None:
            digest = text_hash(passage.text)
            found = next((r for r in mine if r.text_hash == digest), None)
        return found

    def apply(self, passages: list[Passage]) -> list[Passage]:
        """Correct the tags of passages, in place (and return them)."""
        if not self.records:
            return passages
        # looked up by key, not scanned: a reindex applies every record to every passage of its publication
        documents = {r.doc_id: r for r in self.records if r.passage_id is None}
        by_id = {r.passage_id: r for r in self.records if r.passage_id is not None}
        by_text = {(r.doc_id, r.text_hash): r for r in self.records if r.passage_id is not None}
        for passage in passages:
            own = by_id.get(passage.id)
            own = own if own is not None and own.doc_id == passage.doc_id else \
                by_text.get((passage.doc_id, text_hash(passage.text)))
            for record in (documents.get(passage.doc_id), own):
                if record is not None:
                    passage.tags = record.apply(passage.tags)
        return passages

    # -- recording -----------------------------------------------------------------------------
    def record(self, edit: Edit, doc_title: str, passages: list[Passage]) -> None:
        """Take an editor's ``edit`` of a publication whose passages (as indexed now) are ``passages``."""
        now = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        own = [p for p in passages if edit.passage_id is None or p.id == edit.passage_id]
        if edit.passage_id is None:
            doc = self.of_document(edit.doc_id)
            if doc is None:
                doc = Record(edit.doc_id)
                self.records.append(doc)
            doc.absorb(Edit(edit.doc_id, None, False, edit.add, edit.remove, edit.entry_point))
            doc.updated_at = now
            for passage in own:
                record = self.of_passage(passage)
                if record is not None:
                    record.forget(edit)
                    if record.labels is not None:      # a confirmed passage follows the publication's edit
                        record.absorb(Edit(edit.doc_id, passage.id, False, edit.add, edit.remove, edit.entry_point))
        for passage in own:
            record = self.of_passage(passage)
            if record is None and not (edit.passage_id or edit.confirm):
                continue
            if record is None:
                record = Record(edit.doc_id, passage.id)
                self.records.append(record)
            record.passage_id, record.text_hash = passage.id, text_hash(passage.text)
            record.passage = {"text": passage.text, "section": list(passage.section),
                              "section_kind": passage.section_kind, "doc_title": doc_title}
            if edit.passage_id:
                record.absorb(edit)
            if edit.confirm:
                tags = passage.tags
                for r in (self.of_document(edit.doc_id), record):
                    tags = r.apply(tags) if r is not None else tags
                record.labels = _label_ids(tags)
            record.updated_at = now

    def training_rows(self) -> list[dict]:
        return [row for r in self.records if (row := r.training_row()) is not None]


def supersede(rows: list[dict]) -> list[dict]:
    """Labelled rows with the editors' rows (``source`` "editor", last) replacing any earlier row of the
    same passage: the editor's labels win, the earlier row's id, group and source are kept (its
    context header and its cross-validation group)."""
    editor = {r["passage_id"]: r for r in rows if r.get("source") == "editor"}
    out = []
    for row in rows:
        if row.get("source") == "editor":
            if row["passage_id"] in editor:
                out.append(editor.pop(row["passage_id"]))
            continue
        mine = editor.pop(row.get("passage_id"), None) if row.get("passage_id") else None
        out.append(row if mine is None else {**row, **{k: mine[k] for k in LABEL_FIELDS}})
    return out
