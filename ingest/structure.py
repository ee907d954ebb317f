"""Recover the structure of a publication: section paths, section kinds and speakers.

Proceedings have no usable fonts (one face, one size), so structure comes from the
wording the editors use: "Mise en perspective de …", "Témoignage de …", "« Eclairage »",
"« Outillage »", "Regards croisés …", "En synthèse", "Question / réponse …", and the
speaker lines "Prénom Nom, vous êtes …". Markdown uses its own headings; Word, LibreOffice,
slides, web pages and transcripts declare theirs (styles, <h1>–<h3>, slide titles, speakers' cues).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from .document import Document, Segment, Speaker

_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜ"
_TITLES = r"(?:Directeur|Directrice|Vice|Président|Présidente|Délégué|Déléguée|Responsable|Secrétaire|Chargé|Chargée|Cheffe|Chef|Co|Coordinateur|Coordonnateur|Conseiller|Députée?|Ministre|Haut)\b"
_WORD = rf"(?!{_TITLES}|(?:Le|La|Les|Au|Aux)\b)[{_UP}][{_UP}a-zàâäçéèêëîïôöùûü’'\-]+"
NAME = rf"{_WORD}(?: (?:de |du |Le |La |d[’'])?{_WORD}){{1,2}}"

# The section kind of a publication's agenda: it names every session and answers no question (the
# overview never quotes it, the searcher scores it down).
PROGRAMME = "programme"

# (section kind, level, pattern): level "block" starts a new block, "part" a part of the current one.
MARKERS = [
    ("perspective", "block", r"^Mise en perspective (?:de |d[’'])(?P<who>.+)"),
    ("perspective", "block", r"^Point de vue académique (?P<who>.+)"),
    ("temoignage", "block", r"^Témoignage (?:de |d[’'])(?P<who>.+)"),
    ("eclairage", "block", r"^« ?[EÉ]clairage ?»"),
    ("outillage", "block", r"^« ?Outillage ?»"),
    ("table_ronde", "block", r"^(?:Regards croisés|Croisement de regards)"),
    ("debat", "block", r"^Débat ?:"),
    ("qa", "block", r"^Question / réponse"),
    ("echanges", "block", r"^[EÉ]changes sur"),
    ("atelier", "block", r"^Ateliers? (?:\d|de )"),
    ("conclusion", "block", r"^Conclusions? de la journée"),
    ("synthese", "part", r"^En synthèse"),
    ("introduction", "part", r"^Introduction\b(?: (?:par |de |d[’'])?(?P<who>.*))?"),
    ("conclusion", "part", r"^Pour conclure"),
    (PROGRAMME, "block", r"^Le programme de la journée"),
    ("text", "block", r"^(?:Le Réseau en quelques mots|L[’']exposé des motifs)"),
]
# Inside the programme only these end it (its bullet points repeat every other heading).
PROGRAMME_EXITS = ("introduction", "text", PROGRAMME)
# Lines that name who speaks next without opening a section.
SPEAKER_LINES = [
    rf"^(?P<name>{NAME}),? vous êtes (?P<role>.+?)(?: et vous.*)?$",
    rf"^(?P<eclairage>(?:Un )?[EÉeé]clairage) (?:de |d[’'])(?P<name>{NAME})[ ,–-]+(?P<role>.+)",
    rf"^Par (?P<name>{NAME}), (?P<role>.+)",
]
# Only after a blank line: "La Fondation de Lille avec Delphine VANDEVOORDE Directrice".
SPEAKER_AFTER_BLANK = [
    rf"^(?:Au niveau [\w ]+: *)?(?:la |le |l[’'])?(?P<org>[{_UP}][^.?!:]{{2,70}}?) avec (?P<name>{NAME})[ ,(]*(?P<role>[^)]*?)\)?,?$",
    rf"^.{{3,80}} selon (?P<name>{NAME}) (?:du |de la |de l[’']|des |de |d[’'])(?P<org>.+)$",
]
# Caisse is not among them: inside « Fédération Nationale des Caisses d'Epargne » it would cut the name.
ORGANISATION_WORDS = (r"\b(?:Groupe|Fondation|Fédération|Réseau|Mouvement|Comité|Agence|Banque|Ministère|Conseil|"
                      r"Laboratoire|Association|Collectif|Chaire|Observatoire|Global Compact|Labo)\b")
# A title whose organisation the title itself names: « Ministre de la Cohésion des Territoires » works at the
# Ministère de la Cohésion des Territoires, not at « Cohésion des Territoires ».
INSTITUTION_OF_TITLE = [(re.compile(r"^Ministre (?=de |du |des |d[’'])"), "Ministère "),
                        (re.compile(r"^Haut[- ]Commissaire (?=à |au |aux )"), "Haut-Commissariat ")]
_FUNCTION_WORDS = {"de", "du", "des", "d", "la", "le", "les", "l", "et", "à", "au", "aux", "en", "pour", "sur", "&"}
SESSION_FOLLOWERS = re.compile(r"^(?:En partenariat avec|Séquences? (?:en partenariat|avec l))")
SEQUENCE_TITLE = re.compile(r"(?:: \d+ séquences|^Séquences? )")
_CONTINUES = re.compile(r"(?:\b(?:du|de|des|la|le|les|l[’']|d[’']|en|et|à|au|aux|sur|pour)|[,–-])$")


@dataclass
class _Line:
    text: str
    start: int
    end: int


def _lines(text: str) -> list[_Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        out.append(_Line(raw.strip(), pos, pos + len(raw)))
        pos += len(raw) + 1
    return out


def _is_marker(text: str) -> bool:
    return any(re.match(pat, text) for _, _, pat in MARKERS)


def _heading(lines: list[_Line], i: int, limit: int = 3, strict: bool = False) -> tuple[str, int]:
    """A heading and how many lines it spans: it goes on while a line ends on a
    preposition or (unless ``strict``) the next one starts in lower case."""
    parts, j = [lines[i].text], i + 1
    while j < len(lines) and j - i < limit and lines[j].text and not _is_marker(lines[j].text):
        nxt = lines[j].text
        if _CONTINUES.search(parts[-1]) or (not strict and (nxt[0].islower() or nxt.startswith("«"))):
            parts.append(nxt)
            j += 1
        else:
            break
    return re.sub(r"\s+", " ", " ".join(parts)).strip(" :"), j - i


def organisation_of(role: str) -> str | None:
    """The organisation in a role such as "Directrice Générale de la Fondation de France"."""
    role = re.split(r"\.\s|\s:\s?|\(|\)| qui ", role)[0].strip(" ,.:")
    for title, institution in INSTITUTION_OF_TITLE:
        if title.match(role):
            return title.sub(institution, role).split(",")[0].strip()
    if re.search(r"\s[–-]\s", role):
        return role.split(" – " if " – " in role else " - ")[-1].strip() or None
    keyword = list(re.finditer(ORGANISATION_WORDS, role))
    if keyword:
        return role[keyword[-1].start():].split(",")[0].strip()
    head, _, tail = role.partition(", ")
    if tail[:1].isupper() and _looks_like_a_name(tail):
        return tail.strip()
    for match in re.finditer(r"\b(?:du|des|de la|de l[’']|de|d[’']|au|à la|à l[’'])\s*", role):
        rest = role[match.end():]
        if rest[:1].isupper() and _looks_like_a_name(rest):
            return rest.strip()
    return None


def _looks_like_a_name(text: str) -> bool:
    """Without an organisation word, a name is capitalised words and function words only, and holds no
    title: not « RSE et de l'innovation », not « Charenton et Conseiller du Territoire »."""
    words = re.findall(r"[\w&-]+", text.replace("’", "'"))
    return (not re.search(rf"\b{_TITLES}", text)
            and all(w[0].isupper() or w[0].isdigit() or w.lower() in _FUNCTION_WORDS for w in words))


def _speaker(name: str, role: str | None, organisation: str | None = None) -> Speaker:
    role = re.sub(r"\s+", " ", role or "").strip(" ,:.()")
    role = re.split(r"\.\s|\s:\s|\?", role)[0].strip(" ,:.") or None
    organisation = organisation or (organisation_of(role) if role else None)
    return Speaker(name=name.strip(), role=role, organisation=organisation)


def _speaker_in(who: str) -> Speaker | None:
    """The person named in a heading's remainder: "de Yves Le Breton, Directeur…",
    "de la Députée Jennifer de Temmerman, …", "du Président du Comité 21, l'économiste Philippe DESSERTINE"."""
    m = re.match(rf"(?:la |le )?(?:Députée? )?(?P<name>{NAME})(?:[ ,–-]+(?P<role>.*))?", who)
    if m:
        return _speaker(m.group("name"), m.group("role"))
    m = re.search(rf"l[’']économiste (?P<name>{NAME})", who)
    if m:
        role = re.sub(r"^(?:du|de la|de l[’']|de)\s+", "", who[:m.start()].strip(" ,"))
        return _speaker(m.group("name"), role)
    return None


class ProceedingsStructure:
    """Section paths and speakers from the editorial wording of proceedings and reports."""

    def segments(self, doc: Document) -> list[Segment]:
        lines = _lines(doc.text)
        segments: list[Segment] = []
        sequence = session = block = part = None
        kind, block_kind, speaker, start = "text", "text", None, 0

        def cut(at: int):
            nonlocal start
            if doc.text[start:at].strip():
                path = tuple(p for p in (sequence, session, block, part) if p)
                segments.append(Segment(start, at, path, kind, speaker))
            start = at

        i = 0
        while i < len(lines):
            line = lines[i]
            text = line.text
            if not text:
                i += 1
                continue
            title, span = _heading(lines, i)
            follower = next((l.text for l in lines[i + span:i + span + 2] if l.text), "")
            after_blank = i == 0 or not lines[i - 1].text or doc.page_at(line.start) != doc.page_at(lines[i - 1].start)
            marker = next(((k, lvl, m) for k, lvl, pat in MARKERS if (m := re.match(pat, text))), None)
            if marker and kind == PROGRAMME and marker[0] not in PROGRAMME_EXITS:
                marker = None
            speaker_match = None
            if not marker and kind != PROGRAMME:
                strict_title, strict_span = _heading(lines, i, strict=True)
                patterns = SPEAKER_LINES + (SPEAKER_AFTER_BLANK if after_blank else [])
                speaker_match = next((m for pat in patterns if (m := re.match(pat, strict_title))), None)
            if SESSION_FOLLOWERS.match(follower) and after_blank and len(title) < 120:
                cut(line.start)
                if SEQUENCE_TITLE.search(follower) or SEQUENCE_TITLE.search(title):
                    sequence, session = re.sub(r"\s*: \d+ séquences.*$", "", title), None
                else:
                    session = title
                block = part = speaker = None
                kind = block_kind = "text"
                i += span + 1  # the "En partenariat avec" line belongs to the heading
                continue
            if (SEQUENCE_TITLE.search(title) and after_blank and len(title) < 120 and not marker
                    and not re.match(r"^\d{1,2}[hH]", title)):
                cut(line.start)
                sequence = re.sub(r"\s*: \d+ séquences.*$", "", title)
                session = block = part = speaker = None
                kind = block_kind = "text"
                i += span
                continue
            if marker:
                mkind, level, m = marker
                cut(line.start)
                who = m.groupdict().get("who")
                if level == "block":
                    block, part, kind, block_kind = title, None, mkind, mkind
                else:
                    part = title
                    kind = mkind if block is None or mkind in ("synthese", "conclusion") else block_kind
                speaker = _speaker_in(re.sub(r"\s+", " ", title[m.start("who"):])) if who else None
                i += span
                continue
            if speaker_match:
                cut(line.start)
                fields = speaker_match.groupdict()
                org = fields.get("org")
                org = re.sub(r"^(?:Le |La |L[’'])(?=[A-ZÉ])", "", org).strip() if org else None
                speaker = _speaker(fields["name"], fields.get("role"), org)
                if fields.get("eclairage") and kind != "eclairage":
                    block, part, kind = strict_title, None, "eclairage"
                elif kind == "synthese" and block:  # the summary is over: interventions follow
                    part, kind = None, block_kind
                i += strict_span
                continue
            next_marker = next((l.text for l in lines[i + 1:i + 3] if l.text), "")
            opens = re.match(r"^(?:Introduction|Témoignage|Regards croisés|Mise en perspective)", next_marker)
            opens_directly = re.match(r"^(?:Débat ?:|Croisement de regards)", lines[i + 1].text if i + 1 < len(lines) else "")
            if (span == 1 and len(text) <= 90 and not re.search(r"[.:?,;]$", text) and text[0].isupper()
                    and kind != PROGRAMME and ((after_blank and opens) or (len(text) <= 60 and opens_directly))):
                cut(line.start)
                session, block, part, speaker, kind, block_kind = text, None, None, None, "text", "text"
                i += 1
                continue
            i += 1
        cut(len(doc.text))
        return segments


class MarkdownStructure:
    """Sections from Markdown headings; no speakers."""

    def segments(self, doc: Document) -> list[Segment]:
        path: list[tuple[int, str]] = []
        segments, start = [], 0
        for m in re.finditer(r"^(#{1,6})\s+(.+?)\s*#*\s*$", doc.text, flags=re.M):
            if doc.text[start:m.start()].strip():
                segments.append(Segment(start, m.start(), tuple(t for _, t in path)))
            level = len(m.group(1))
            path = [(lvl, t) for lvl, t in path if lvl < level] + [(level, m.group(2))]
            start = m.start()
        if doc.text[start:].strip():
            segments.append(Segment(start, len(doc.text), tuple(t for _, t in path)))
        return segments


class DeclaredStructure:
    """Sections from the headings a format declares, speakers from its cues: a segment ends at every
    heading (so at every slide, whose title is one) and at every change of speaker."""

    def segments(self, doc: Document) -> list[Segment]:
        cuts: list[tuple[int, int, object]] = [(h.start, 0, h) for h in doc.headings or ()]
        speaker = None
        for cue in doc.cues:
            if cue.speaker != speaker or not cuts:
                cuts.append((cue.start, 1, cue.speaker))
                speaker = cue.speaker
        path: list[tuple[int, str]] = []
        who: Speaker | None = None
        segments, start = [], 0
        for at, kind, what in sorted(cuts, key=lambda c: (c[0], c[1])):
            if doc.text[start:at].strip():
                segments.append(Segment(start, at, tuple(t for _, t in path), speaker=who))
            start = at
            if kind == 0:
                path = [(lvl, t) for lvl, t in path if lvl < what.level] + [(what.level, what.title)]
            else:
                who = Speaker(what) if what else None
        if doc.text[start:].strip():
            segments.append(Segment(start, len(doc.text), tuple(t for _, t in path), speaker=who))
        return segments


def segments_of(doc: Document) -> list[Segment]:
    if doc.headings is not None or doc.cues:
        parser = DeclaredStructure()
    elif doc.metadata.get("format") == "markdown":
        parser = MarkdownStructure()
    else:
        parser = ProceedingsStructure()
    return parser.segments(doc)
