"""Property-based tests (hypothesis): any text gives passages whose offsets are valid and cover it;
the tagger always answers with known labels and bounded scores."""
import re

from hypothesis import HealthCheck, given, settings, strategies as st

from ingest.chunker import Chunker
from ingest.document import Document
from ingest.structure import segments_of
from ingest.taxonomy import ids

WORDS = st.sampled_from("alliance territoire catalyseur ODD association entreprise collectivité tiers-lieu "
                        "l’ingénierie d'accompagnement 2030 81% « jouer » collectif numérique é à ç œ 🌍 — ; : , .".split())
SEPARATORS = st.sampled_from([" ", " ", " ", "\n", ". ", " ! ", "\n\n", " ? ", "\n• ", "\t"])
TEXTS = st.lists(st.tuples(WORDS, SEPARATORS), min_size=0, max_size=400).map(lambda xs: "".join(w + s for w, s in xs))
ANY_TEXT = st.one_of(TEXTS, st.text(max_size=3000))


def document(text: str, fmt="text") -> Document:
    return Document(id="prop", title="Propriétés", text=text, page_starts=[0], metadata={"format": fmt})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT)
def test_passages_have_valid_offsets_and_cover_the_text(text):
    chunker = Chunker()
    doc = document(text)
    segments = segments_of(doc)
    chunks = chunker.chunks(doc, segments)
    previous_end = 0
    for c in chunks:
        assert 0 <= c.start < c.end <= len(text)
        assert c.start >= previous_end                              # ordered, no overlap
        assert c.segment.start <= c.start and c.end <= c.segment.end  # never across a section
        assert doc.text[c.start:c.end].strip()
        previous_end = c.end
    covered = set()
    for c in chunks:
        covered.update(range(c.start, c.end))
    for seg in segments:
        words = list(re.finditer(r"\S+", text[seg.start:seg.end]))
        if len(words) >= chunker.keep_words:     # shorter sections (a bare heading) are dropped on purpose
            for w in words:
                assert seg.start + w.start() in covered, (w.group(), text[seg.start:seg.end][:200])
    for c in chunks:
        assert len(text[c.start:c.end].split()) <= chunker.max_words + chunker.min_words // 2


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(ANY_TEXT, st.sampled_from(["text", "temoignage", "outillage", "atelier", "synthese", "qa"]))
def test_the_tagger_always_answers_with_known_labels(embedder, text, section_kind):
    from ingest.tagger import Tagger

    tagger = TAGGER.get("t") or TAGGER.setdefault("t", Tagger(embedder))
    vector = embedder.passages([text or " "])[0]
    tags = tagger.tag(text, vector, section_kind)
    assert tags.entry_point.id in ids("entry_points")
    for facet in ("levers", "sdg", "trades"):
        labels = getattr(tags, facet)
        assert len(labels) <= tagger.max_labels
        assert {l.id for l in labels} <= set(ids(facet))
        assert all(0 <= l.score <= 1 and l.evidence for l in labels)
        assert [l.score for l in labels] == sorted((l.score for l in labels), reverse=True)


TAGGER = {}
