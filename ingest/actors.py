"""Who acts in the corpus: the people and organisations of each passage, and the directory that merges them.

A passage names actors in two ways: its speaker (the structure parser's name, role and organisation)
and the people and organisations spaCy's French model finds in its text. spaCy's ORG spans are often
something else — a title (« Présidente »), a role holding an organisation (« Directrice Générale de la
Fondation de France »), a category (« les ODD »), a run-on into the sentence (« Réseau d'entreprises
vous »). ``Evidence`` corrects them with what the document itself says: the role is split from its
organisation, a span is cut where a new phrase starts, and a name is kept as an organisation only when
the text treats it as one — a word of it never written in lower case in the document (« Retz »,
« AgroParisTech »), or an organisation word at its head capitalised inside a sentence
(« l'Observatoire des partenariats »), never used with a plural or indefinite article (« les ODD »,
« un Réseau d'entreprises ») nor as the name of a prize, law or programme (« le prix WALDECK »).

``Directory.build`` then merges the spellings of one actor across the corpus (case, accents, hyphens,
plurals, a leading article, an acronym the text expands: « Réseau National de l'Economie Territoriale
(RNET) », a name cut short by a line break, a one-letter slip in a first name) and links each actor to
the passages where they speak or are cited."""
from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from typing import Iterable

from rapidfuzz.distance import OSA, Levenshtein

from .document import Passage
from .structure import INSTITUTION_OF_TITLE, organisation_of
from .taxonomy import fold  # lower case, no accents, straight apostrophes: how spellings of one name compare

KINDS = ("person", "organisation")
HOWS = ("speaker", "cited")       # speaks in the passage (or, for an organisation, one of its people does); named in it

# Titles and forms of address (lower case, accents kept): a span starting with one is a role, not a name.
TITLE_WORDS = frozenset("""directeur directrice président présidente délégué déléguée responsable secrétaire
chargé chargée chef cheffe coordinateur coordinatrice coordonnateur coordonnatrice conseiller conseillère
député députée ministre haut-commissaire maire adjoint adjointe fondateur fondatrice co-fondateur
co-fondatrice cofondateur cofondatrice manager membre animateur animatrice co-animateur co-animatrice
co-directeur co-directrice co-président co-présidente vice-président vice-présidente sénateur sénatrice
monsieur madame mesdames messieurs trésorier trésorière porte-parole économiste président-fondateur
directeur-général pilote""".split())
TITLE_ADJECTIVES = frozenset("général générale adjoint adjointe exécutif exécutive national nationale régional "
                             "régionale délégué déléguée permanent permanente municipal municipale".split())
# The noun before a name that makes it an organisation's, whatever spaCy called it: « du cabinet Révélateur
# de Richesses Immatérielles », « l'association X ».
ORGANISATION_GOVERNORS = frozenset("cabinet association societe entreprise agence fondation collectif cooperative "
                                   "structure federation startup start-up bureau mutuelle syndicat".split())
# Heads of organisation names (folded): alone they are common nouns, followed by more they name one.
ORGANISATION_HEADS = frozenset("""groupe fondation federation reseau mouvement comite agence banque ministere
conseil laboratoire labo association collectif chaire observatoire assemblee institut union syndicat centre
caisse commission mission haut-commissariat direction office cooperative societe universite ecole alliance
fonds conservatoire parlement senat""".split())
# Nouns that make the name after them something else than an organisation: « le prix WALDECK ».
NOT_ORGANISATION_GOVERNORS = frozenset("prix loi label programme plan dispositif appel trophee trophees "
                                       "kit guide rapport concours convention conference accord traite protocole "
                                       "charte objectif objectifs cible agenda".split())
# Before a category, not a named body: « les ODD », « des TPE », « un Réseau d'entreprises », « 17 ODD ».
CATEGORY_DETERMINERS = frozenset("les des aux ces nos vos leurs plusieurs un une certains certaines".split())
FUNCTION_WORDS = frozenset("de du des d la le les l et à au aux en pour sur par avec &".split())
ARTICLES = frozenset("le la les l".split())
CONTRACTIONS = {"du": "de", "des": "de", "d": "de", "au": "a", "aux": "a"}
PRONOUNS = frozenset("je tu il elle on nous vous ils elles qui que qu dont".split())
NAME_PARTICLES = frozenset("de du d le la van von der del della di da".split())
SENTENCE_ENDS = ".!?:;•▪\n"
# « MGEN/ Groupe Vyv » is two organisations, « … Territoriale (RNET) » one and its acronym.
SPEAKER_ORGANISATION_SEPARATORS = r"\s*/\s*|\s*\(([A-Z][A-Z0-9]{1,7})\)\s*"

_TOKEN = re.compile(r"[^\W_]+(?:[-’'][^\W_]*)*|&|«|»|[^\w\s]", re.UNICODE)


def _squash(text: str) -> str:
    """One space between words (no-break spaces too)."""
    return re.sub(r"\s+", " ", text.replace("\u00a0", " ")).strip()


@lru_cache(maxsize=65536)      # a corpus names its actors again and again
def name_key(name: str, kind: str) -> str:
    """What two spellings of one actor share: folded, hyphens and « & » as words; for an organisation
    no leading article and no plural « s » (« Réseau des pionniers des alliances en Territoires »)."""
    text = fold(name).replace("&", " et ")
    words = re.findall(r"[a-z0-9]+", text)
    if kind == "organisation":      # « Banque du territoire », « Agence nationale de la cohésion des territoires »
        words = [CONTRACTIONS.get(w, w) for w in words if w not in ARTICLES] or words
        words = [w[:-1] if len(w) > 3 and w[-1] in "sx" else w for w in words]
    return " ".join(words)


def _is_acronym(word: str) -> bool:
    """« ANCT », « VYV », « CNFPT », « METI »: three quarters of its letters (and at least two) in capitals."""
    letters = [c for c in word if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    return len(letters) >= 2 and word[:1].isupper() and upper >= max(2, 0.75 * len(letters))


def _distinct_shape(word: str) -> bool:
    """An acronym (« ANCT ») or a word capitalised inside (« AgroParisTech », « HelloAsso »)."""
    return _is_acronym(word) or (word[:1].isupper() and any(c.isupper() for c in word[1:]) and "-" not in word)


def _split_phrases(name: str) -> list[str]:
    """« CJD & l'Observatoire des partenariats » is two names, « Débat : Convergences » a heading and a
    name: split at a colon outside quotes and at « et »/« & » followed by an article."""
    parts, depth, start = [], 0, 0
    for m in re.finditer(r"«|»|[•▪]|\s[:—]\s|\s(?:et|&)\s(?=(?:le|la|les|l[’']|un|une|des)\b)", name, flags=re.I):
        tok = m.group().strip()
        if tok == "«":
            depth += 1
        elif tok == "»":
            depth = max(0, depth - 1)
        elif depth == 0 or tok in "•▪":
            parts.append(name[start:m.start()])
            start = m.end()
    parts.append(name[start:])
    return [p.strip() for p in parts if p.strip()]


def _cut_run_on(name: str) -> str:
    """Where the sentence takes over: a pronoun, or an article that no preposition governs
    (« Observatoire des partenariats les élus », « Mouvement associatif L'appropriation… »)."""
    tokens = list(_TOKEN.finditer(name))
    for i, m in enumerate(tokens[1:], 1):
        word = m.group().lower().replace("’", "'")
        head = word.split("'")[0]
        previous = tokens[i - 1].group().lower()
        following = tokens[i + 1].group() if i + 1 < len(tokens) else ""
        if head in PRONOUNS:
            return name[:m.start()].strip()
        # an article no preposition governs, before a common word: « … partenariats les élus »; not
        # « Vive les Mureaux », whose article comes before a name
        if head in ("les", "le", "la", "l", "un", "une") and previous not in FUNCTION_WORDS and previous != "«":
            glued = re.split(r"[’']", m.group(), maxsplit=1)
            noun = glued[1] if len(glued) == 2 and glued[1] else following
            if not noun[:1].isupper():
                return name[:m.start()].strip()
    return name


def _strip_ends(name: str) -> str:
    """No function word, bullet or punctuation at either end (« Mouvement associatif De » → « … associatif »)."""
    words = name.split()
    while words and (words[-1].lower().strip("’'") in FUNCTION_WORDS or not re.search(r"\w", words[-1])
                     or words[-1].lower() in ("l’", "l'", "d’", "d'")):
        words.pop()
    while words and not re.search(r"\w", words[0]):
        words.pop(0)
    if words and re.match(r"^[ld][’'](?=[A-ZÀ-Ý])", words[0]):   # « l’AMRF »: the article is not the name
        words[0] = words[0][2:]
    return " ".join(words).strip(" ,;:–-")


def _close_quote(name: str, after: str) -> str:
    """« Collectif « Intérêt » cut at a line: the name goes on to its closing guillemet."""
    if name.count("«") > name.count("»"):
        end = after.find("»")
        if 0 <= end <= 80:
            return _squash(name + after[:end + 1])
    elif name.count("»") > name.count("«"):       # « … françaises » • Pastille »: the end of a quote
        name = name[name.rfind("»") + 1:]
    return name


def role_organisation(role: str) -> str | None:
    """The organisation a role names, or None (« Présidente », « Directrice du »)."""
    for title, institution in INSTITUTION_OF_TITLE:
        if title.match(role):
            return title.sub(institution, role)
    found = organisation_of(role)
    if found:
        return _strip_ends(found)
    words = role.split()        # « Directeur CRIJ Orléans », « Manager Accenture »: the name after the title
    while words and (words[0].lower().strip(",") in TITLE_WORDS or words[0].lower() in TITLE_ADJECTIVES):
        words.pop(0)
    rest = _strip_ends(" ".join(words))
    return rest if rest[:1].isupper() and all(w[:1].isupper() or fold(w) in FUNCTION_WORDS for w in rest.split()) else None


def _starts_with_title(name: str) -> bool:
    first = name.split()[0] if name.split() else ""
    return first.lower().strip(",") in TITLE_WORDS


@dataclass
class Evidence:
    """What one document says about the names in it (see the module's docstring)."""

    text: str                                   # the document's text, lines of a paragraph joined
    speaker_organisations: frozenset[str] = frozenset()   # folded names the structure parser gave
    lower_words: frozenset[str] = field(init=False)

    def __post_init__(self):
        self.lower_words = frozenset(fold(w) for w in re.findall(r"\b[a-zà-ÿœæ][\w’'-]*", self.text))

    @classmethod
    def of(cls, text: str, speaker_organisations: Iterable[str] = ()) -> "Evidence":
        parts = {fold(_strip_ends(part or "")) for org in speaker_organisations
                 for part in re.split(SPEAKER_ORGANISATION_SEPARATORS, _squash(org))}
        return cls(text, frozenset(parts - {""}))

    def _occurrences(self, name: str) -> list[int]:
        if name not in self.text:       # most names asked about are not in this text: skip the regex's scan
            return []
        return [m.start() for m in re.finditer(rf"(?<![\w-]){re.escape(name)}(?![\w-])", self.text)]

    def _before(self, at: int) -> str:
        return self.text[max(0, at - 40):at]

    def category(self, name: str) -> bool:
        """An acronym the text spells out in lower case (« objectifs de développement durable (ODD) »), or a
        name used with a plural or indefinite article (a third of the time or more), a number, or after
        « prix », « loi », « programme »…: a kind of thing, not a body."""
        if _is_acronym(name) and (spelled := self.expansion(name)) and spelled[:1].islower():
            return True         # « 17 objectifs de développement durable (ODD) »: the text spells a concept
        at = self._occurrences(name)
        if not at:
            return False
        previous = [fold(w[-1]) if (w := re.findall(r"[\w’']+", self._before(a))) else "" for a in at]
        if any(p in NOT_ORGANISATION_GOVERNORS for p in previous):
            return True
        plural = sum(p in CATEGORY_DETERMINERS or p.isdigit() for p in previous)
        return plural * 3 >= len(at)

    def expansion(self, acronym: str) -> str | None:
        """What the text says an acronym stands for: the words before « (ACRONYM) » whose initials it is."""
        if f"({acronym})" not in self.text:   # the regex would try word runs all over the text for nothing
            return None                       # (70 ms a call on the proceedings, 12 s of their ingestion)
        for m in re.finditer(rf"((?:[^\W\d_][\w’'-]* ){{1,10}})\({re.escape(acronym)}\)", self.text):
            words = m.group(1).split()
            for start in reversed(range(len(words))):     # the shortest: « la Fédération X (FX) » is « Fédération X »
                if _initials_match(acronym, " ".join(words[start:])):
                    return " ".join(words[start:])
        return None

    def capitalised_inside_a_sentence(self, name: str) -> bool:
        for a in self._occurrences(name):
            before = self._before(a).rstrip()
            if before and before[-1] not in SENTENCE_ENDS and not before.endswith("\n"):
                return True
        return False

    def organisation_names(self, span: str, after: str = "") -> list[str]:
        """The organisations an ORG span of spaCy's names (none, one or several)."""
        span = _close_quote(_squash(span), after[:120])
        if re.search(r"https?:|www\.|@", span):
            return []
        names = []
        for part in _split_phrases(span):
            part = _strip_ends(part)
            if not part:
                continue
            if _starts_with_title(part):       # a role: its organisation, if it names one and not a person
                untitled = " ".join(w for w in part.split() if w.lower().strip(",") not in TITLE_WORDS | TITLE_ADJECTIVES)
                name = None if self.person_name(untitled) else role_organisation(part)   # « Députée Jennifer de Temmerman »
            else:
                name = _strip_ends(_cut_run_on(part))
            if name and self.is_organisation(name):
                names.append(name)
        return names

    def governed_by_an_organisation_noun(self, at: int) -> bool:
        words = re.findall(r"[\w’'-]+", self._before(at))
        return bool(words) and fold(words[-1]) in ORGANISATION_GOVERNORS

    def organisation_names_in(self, label: str, span: str, at: int, after: str = "") -> list[str]:
        """The organisations a span of any label names: spaCy calls « l'AMRF » a place, « HelloAsso »
        and « Manager Accenture » miscellaneous, « Révélateur de Richesses Immatérielles » a person. A span
        that is not ORG counts when an organisation noun governs it or it holds an acronym or a name
        capitalised inside (a place's name is neither: « Lille », « Orléans »)."""
        if label == "ORG":
            return self.organisation_names(span, after)
        governed = self.governed_by_an_organisation_noun(at)
        lowered_head = re.match(rf"^(?:{'|'.join(ORGANISATION_HEADS)}) [A-ZÀ-Ý]", fold(span[:1]) + span[1:])
        firsts = [_strip_ends(part).split()[:1] for part in _split_phrases(_squash(span))]
        shaped = label != "PER" and any(_distinct_shape(f[0]) for f in firsts if f)
        titled = label != "PER" and _starts_with_title(_squash(span))       # « Manager Accenture »
        if not (governed or lowered_head or shaped or titled):
            return []
        names = self.organisation_names(span[:1].upper() + span[1:] if lowered_head else span, after)
        if governed and not names:
            name = _strip_ends(_squash(span))
            names = [name] if name[:1].isupper() and not self.category(name) else []
        return names

    def is_organisation(self, name: str) -> bool:
        words = [w for w in re.findall(r"[^\W_][\w’'-]*", name)]
        if not words or not (words[0][:1].isupper() or words[0][:1].isdigit()):
            return False
        if any(re.search(r"[A-Za-z]", w) and re.search(r"\d", w) for w in words):   # CAC40, ligne5: codes
            return False
        if any(w.lower() in TITLE_WORDS for w in words):
            return False
        core = [w for w in words if fold(w).strip("'") not in FUNCTION_WORDS]
        core = [w.split("’")[-1].split("'")[-1] for w in core]
        core = [w for w in core if w]
        if not core or self.category(name):
            return False
        head = fold(core[0])
        if head.split("-")[0] in NOT_ORGANISATION_GOVERNORS:     # « Programme d’appui « Territoire engagé » »
            return False
        if _is_acronym(core[0]) and core[0] != name and self.category(core[0]):    # « ODD 17 »
            return False
        if re.fullmatch(r"[A-Z]{2,}[ -]?\d+", name):     # « ODD 14 », « COP 21 »: one of a numbered series
            return False
        if len(words) > 2 and name.isupper() and any(fold(w) in FUNCTION_WORDS for w in words):
            return False            # « AGIR DES AUJOURD'HUI »: a heading in capitals
        if len(core) == 1 and not _distinct_shape(core[0]) and (head in ORGANISATION_HEADS or head in self.lower_words):
            return False        # « Groupe », « Réseau », « Economie »: common nouns, capitalised or not
        if fold(name) in self.speaker_organisations:
            return True
        if any(_distinct_shape(w) or (w[:1].isupper() and fold(w) not in self.lower_words and not w.isdigit())
               for w in core):
            return True
        return head in ORGANISATION_HEADS and self.capitalised_inside_a_sentence(name)

    def speaker_organisation_names(self, organisation: str) -> list[str]:
        """The organisations the structure parser gave a speaker: « MGEN/ Groupe Vyv » is two,
        « Réseau National de l'Economie Territoriale (RNET) » one with its acronym."""
        names = []
        for part in re.split(SPEAKER_ORGANISATION_SEPARATORS, _squash(organisation)):
            part = _strip_ends(part or "")
            if part and self.is_organisation(part):
                names.append(part)
        return names

    def person_name(self, span: str) -> str | None:
        """The person a PER span names, without a title after it or an organisation (« Thierry Ferey
        Directeur », « Amélie Fourmy du RAMEAU »); None for what is not a person's name."""
        span = _squash(span)
        if re.search(r"https?:|www\.|\d|[()/]", span):
            return None
        words = span.split()
        kept: list[str] = []
        for i, w in enumerate(words):
            low = w.lower()
            if low in TITLE_WORDS or low.strip(",") in TITLE_WORDS:
                break
            if low in ("du", "des") or (low in ("de", "d’", "d'") and len(words) - i - 1 > 1):
                break               # « … du RAMEAU », « … de Villes au Carré »: an organisation follows
            kept.append(w.strip(","))
        if len(kept) < 2 or any(not (w[:1].isupper() or w.lower() in NAME_PARTICLES) for w in kept):
            return None
        first, last = kept[0], kept[-1]
        if first.lower() in TITLE_WORDS | NAME_PARTICLES or _is_acronym(first) or last.endswith("-") \
                or last.lower() in NAME_PARTICLES:
            return None
        if fold(kept[-1]) in self.lower_words:     # « Pastille Eclairage »: a surname is not a common word
            return None
        return " ".join(kept)


def acronym_pairs(text: str) -> list[tuple[str, str]]:
    """(acronym, full name) where the text spells it out: « Réseau National de l'Economie Territoriale
    (RNET) », « PTCE (Pôle Territorial de Coopération Economique) » — kept when the acronym's letters
    are the initials of the name's words (an all-capitals word giving all its letters)."""
    pairs = []
    for m in re.finditer(r"((?:[A-ZÀ-Ý][\w’'-]*|de|du|des|la|le|l[’']|d[’']|et|&|en|à|au|aux)"
                         r"(?: (?:[A-ZÀ-Ý0-9][\w’'-]*|de|du|des|la|le|l[’']\S+|d[’']\S+|et|&|en|à|au|aux|[a-zé]\w+)){1,9}) "
                         r"\(([A-Z][A-Z0-9]{1,7})\)", text):
        pairs.append((m.group(2), m.group(1)))
    for m in re.finditer(r"\b([A-Z][A-Z0-9]{1,7}) \(([A-ZÀ-Ý][^()]{4,90})\)", text):
        pairs.append((m.group(1), m.group(2)))
    out = []
    for acronym, name in pairs:
        name = name.strip()
        for start in range(len(name.split())):      # the longest tail of the words whose initials it is
            candidate = " ".join(name.split()[start:])
            if _initials_match(acronym, candidate):
                out.append((acronym, candidate))
                break
    return out


def _initials_match(acronym: str, name: str) -> bool:
    return _initials(name) == acronym.upper()


def _initials(name: str) -> str:
    """« Réseau National de l'Economie Territoriale » → RNET, « Mouvement des ETI » → METI."""
    letters = ""
    for w in re.findall(r"[^\W_][\w-]*", name.replace("’", "'").replace("'", " ")):
        if _is_acronym(w):
            letters += "".join(c for c in w if c.isupper())
        elif fold(w) not in FUNCTION_WORDS:
            letters += "".join(fold(p)[:1] for p in w.split("-") if p).upper()
    return letters


# -- the directory -------------------------------------------------------------------------------

@dataclass
class Mention:
    passage_id: str
    doc_id: str
    page: int                 # the passage's first page (slide); 1 for formats without pages
    how: str                  # one of HOWS


@dataclass
class Actor:
    id: str                   # « organisation-fondation-de-france », « personne-axelle-davezac »: stable across builds
    kind: str                 # one of KINDS
    name: str
    variants: list[str]       # every spelling met, the name first
    role: str | None = None           # a person's role as the proceedings state it
    organisation: str | None = None   # a person's organisation (its actor id)
    mentions: list[Mention] = field(default_factory=list)

    @property
    def passages(self) -> list[str]:
        return list(dict.fromkeys(m.passage_id for m in self.mentions))

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> "Actor":
        return cls(**{**data, "mentions": [Mention(**m) for m in data.get("mentions", [])]})


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")[:80]


class _Merge:
    """Union-find over name keys."""

    def __init__(self):
        self.parent: dict[str, str] = {}

    def find(self, key: str) -> str:
        self.parent.setdefault(key, key)
        while self.parent[key] != key:
            self.parent[key] = self.parent[self.parent[key]]
            key = self.parent[key]
        return key

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _display_name(spellings: Counter, kind: str) -> str:
    """The spelling to show: the most used, preferring full names to acronyms and normal case to capitals
    (« Charles-Benoît Heidsieck » over « Charles-Benoît HEIDSIECK »), then accents, then the longest."""
    def rank(name: str):
        words = name.split()
        shouting = sum(w.isupper() and len(w) > 3 for w in words)
        acronym_only = kind == "organisation" and all(_is_acronym(w) for w in words)
        accents = sum(ch != unicodedata.normalize("NFKD", ch)[0] for ch in name)
        return (acronym_only, shouting, -spellings[name], -accents, -len(name), name)
    return min(spellings, key=rank)


def _person_display(name: str) -> str:
    """« Pierre NARRING » → « Pierre Narring »: capitals are emphasis, not spelling."""
    return " ".join("-".join(p.capitalize() for p in w.split("-")) if w.isupper() and len(w) > 2 else w
                    for w in name.split())


@dataclass
class Directory:
    actors: list[Actor]

    def by_id(self) -> dict[str, Actor]:
        return {a.id: a for a in self.actors}

    def of_passages(self) -> dict[str, list[str]]:
        """Passage id → the ids of the actors it names, in directory order."""
        out: dict[str, list[str]] = defaultdict(list)
        for actor in self.actors:
            for pid in actor.passages:
                out[pid].append(actor.id)
        return dict(out)

    def to_list(self) -> list[dict]:
        return [a.to_dict() for a in self.actors]

    @classmethod
    def from_list(cls, data: list[dict]) -> "Directory":
        return cls([Actor.from_dict(a) for a in data])

    @classmethod
    def build(cls, passages: Iterable[Passage]) -> "Directory":
        """Merge the actors of ``passages``: their speakers, their cleaned entities, the acronyms their
        text spells out (all found at ingestion, ``Passage.entities``)."""
        spellings: dict[str, dict[str, Counter]] = {kind: defaultdict(Counter) for kind in KINDS}
        mentions: dict[str, dict[str, list[Mention]]] = {kind: defaultdict(list) for kind in KINDS}
        roles: dict[str, Counter] = defaultdict(Counter)
        works_at: dict[str, Counter] = defaultdict(Counter)
        aliases: set[tuple[str, str]] = set()

        def note(kind: str, name: str, passage: Passage, how: str) -> str:
            name = _squash(name)
            key = name_key(name, kind)
            spellings[kind][key][name] += 1
            mentions[kind][key].append(Mention(passage.id, passage.doc_id, passage.page_start, how))
            return key

        for p in passages:
            speaker_organisations = p.entities.get("speaker_organisations")
            if speaker_organisations is None:       # passages cut before the directory existed
                speaker_organisations = [p.organisation] if p.organisation else []
            keys = [note("organisation", name, p, "speaker") for name in speaker_organisations]
            org_key = keys[-1] if keys else None     # « MGEN/ Groupe Vyv »: the group
            if p.speaker:
                person = note("person", p.speaker, p, "speaker")
                if p.role:
                    roles[person][p.role] += 1
                if org_key:
                    works_at[person][org_key] += 1
            for name in p.entities.get("organisations", []):
                note("organisation", name, p, "cited")
            for name in p.entities.get("people", []):
                note("person", name, p, "cited")
            aliases.update((name_key(a, "organisation"), name_key(n, "organisation"))
                           for a, n in p.entities.get("acronyms", []))

        groups = {kind: _merge(kind, spellings[kind], aliases if kind == "organisation" else ())
                  for kind in KINDS}

        actors: list[Actor] = []
        id_of: dict[tuple[str, str], str] = {}      # (kind, key) → actor id
        taken: set[str] = set()
        for kind in ("organisation", "person"):     # organisations first: a person points to theirs
            for _, keys in sorted(groups[kind].items()):
                names = Counter()
                for key in keys:
                    names.update(spellings[kind][key])
                name = _display_name(names, kind)
                if kind == "person":
                    name = _person_display(name)
                prefix = "personne" if kind == "person" else "organisation"
                actor_id = base = f"{prefix}-{_slug(name)}"
                n = 2
                while actor_id in taken:
                    actor_id, n = f"{base}-{n}", n + 1
                taken.add(actor_id)
                best: dict[str, Mention] = {}      # one mention per passage; speaking wins over being cited
                for key in keys:
                    for m in mentions[kind][key]:
                        if m.passage_id not in best or (m.how == "speaker" and best[m.passage_id].how != "speaker"):
                            best[m.passage_id] = m
                ordered = sorted(best.values(), key=lambda m: (m.doc_id, m.page, m.passage_id))
                variants = [name] + sorted(v for v in names if v != name)
                actor = Actor(actor_id, kind, name, variants, mentions=ordered)
                if kind == "person":       # the role and organisation said most often
                    role_counts, org_counts = Counter(), Counter()
                    for key in keys:
                        role_counts.update(roles.get(key, {}))
                        org_counts.update(works_at.get(key, {}))
                    actor.role = role_counts.most_common(1)[0][0] if role_counts else None
                    if org_counts:
                        actor.organisation = id_of.get(("organisation", org_counts.most_common(1)[0][0]))
                for key in keys:
                    id_of[(kind, key)] = actor_id
                actors.append(actor)
        actors.sort(key=lambda a: (a.kind, fold(a.name)))
        return cls(actors)


def _merge(kind: str, spelled: dict[str, Counter], aliases: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """Groups of keys that name one actor (``spelled``: each key's spellings)."""
    keys = set(spelled)
    merge = _Merge()
    for key in keys:
        merge.find(key)
    for acronym, full in aliases:      # only when both are actors: an acronym never makes one
        if acronym in keys and full in keys:
            merge.union(acronym, full)
    if kind == "organisation":
        # An acronym of three letters or more that is the initials of exactly one other name of the corpus
        # (« ANCT », « Agence Nationale de la Cohésion des Territoires »; « METI », « Mouvement des ETI »).
        by_initials: dict[str, set[str]] = defaultdict(set)
        for key, names in spelled.items():
            if " " in key:
                for n in names:
                    by_initials[_initials(n)].add(key)
        for key, names in spelled.items():
            acronym = next((n for n in names if " " not in n and _is_acronym(n) and len(n) >= 3), None)
            expands = {merge.find(k) for k in by_initials.get(acronym.upper(), ())} if acronym else set()
            if len(expands) == 1:
                merge.union(key, expands.pop())
    ordered = sorted(keys)
    # A name cut short (« Réseau des pionniers des alliances », « Cathy Racon »): merged with the one
    # name it begins, when only one does (sorted, the names it begins follow it).
    for i, key in enumerate(ordered):
        longer = []
        for k in ordered[i + 1:]:
            if not k.startswith(key):
                break
            if k.startswith(key + " "):
                longer.append(k)
        if longer and len({merge.find(k) for k in longer}) == 1:
            merge.union(key, longer[0])
    # One slip: « Fondation GDRF » and « Fondation GRDF » (long names, compared within their first word);
    # « Tierry Ferey » and « Thierry Ferey » (one surname, first names one letter apart).
    if kind == "organisation":
        by_first: dict[str, list[str]] = defaultdict(list)
        for key in ordered:
            if len(key) >= 10:
                by_first[key.split()[0][:3]].append(key)
        for group in by_first.values():
            for i, a in enumerate(group):
                for b in group[i + 1:]:
                    if abs(len(a) - len(b)) <= 1 and OSA.distance(a, b) <= 1 \
                            and not (set(a) ^ set(b)) & set("0123456789"):
                        merge.union(a, b)
    else:
        by_surname: dict[str, list[str]] = defaultdict(list)
        for key in ordered:
            first, _, last = key.partition(" ")
            if last:
                by_surname[last].append(first)
        for last, firsts in by_surname.items():
            for i, fa in enumerate(firsts):
                for fb in firsts[i + 1:]:
                    if min(len(fa), len(fb)) >= 4 and Levenshtein.distance(fa, fb) <= 1:
                        merge.union(f"{fa} {last}", f"{fb} {last}")
    groups: dict[str, set[str]] = defaultdict(set)
    for key in keys:
        groups[merge.find(key)].add(key)
    return groups
