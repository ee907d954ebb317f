"""Editors' corrections of the tags (ingest/corrections.py, api/routes/corrections.py): checked before
anything is queued, kept apart from the index, winning over the tagger through reindexing, counted by
search's facets, and read by the next `catalyse train-tags`. Over real HTTP, against a real index of
one small publication, and the editor page in real Chromium."""
import json

import httpx
import pytest

from conftest import AUTH, EDITOR_TOKEN, serving, wait_for_job
from ingest.corrections import FILE_NAME, BadCorrection, Corrections, Edit, Record, UnknownLabel, supersede
from ingest.document import Label, Passage, Tags

GUIDE = """# Guide des alliances du quartier Bellevue

## Le diagnostic partagé

La mairie, le bailleur social et trois associations de locataires ont mené ensemble un diagnostic
du quartier. Chaque partenaire a apporté ses données : les demandes de logement, les impayés, les
inscriptions aux ateliers. Le diagnostic a montré que les familles monoparentales manquent de
solutions de garde et que les jeunes décrochent du collège.

## La gouvernance

Un comité de pilotage réunit chaque trimestre les élus, le bailleur, les associations et deux
entreprises du bassin d'emploi. Une charte précise qui décide, qui finance et comment les habitants
sont associés aux choix. Le comité évalue chaque année les actions avec des indicateurs simples.

## Le tiers-lieu

Le rez-de-chaussée d'un immeuble est devenu un tiers-lieu : une crèche associative le matin, un
atelier de réparation de vélos l'après-midi, une permanence d'accès aux droits le soir. Les jeunes
du quartier y animent un fablab et apprennent à programmer des cartes électroniques.

## Le financement

Le modèle économique repose sur trois sources : les loyers modérés versés par le bailleur, une
subvention de la collectivité sur trois ans et le mécénat de compétences des entreprises. Les
partenaires ont créé une société coopérative d'intérêt collectif pour porter le lieu.
"""


# -- the corrections themselves (no model) ------------------------------------------------------

def _passage(doc_id="guide", start=0, text="Un comité de pilotage réunit les partenaires.") -> Passage:
    tags = Tags(levers=[Label("alliance", "Alliance", 0.61, ["comité"]), Label("modele", "Modèle", 0.4, ["x"])],
                sdg=[Label(17, "ODD 17", 0.55, ["partenaires"])], trades=[],
                entry_point=Label("methode", "Méthode", 0.5, ["comité"]))
    return Passage(id=Passage.make_id(doc_id, start, text), doc_id=doc_id, text=text, start=start, end=start + len(text),
                   page_start=1, page_end=1, section=("Gouvernance",), tags=tags)


@pytest.mark.parametrize("kwargs, error", [
    ({"add": {"levers": ["inconnu"]}}, UnknownLabel),
    ({"add": {"sdg": [18]}}, UnknownLabel),
    ({"remove": {"couleurs": ["bleu"]}}, UnknownLabel),
    ({"entry_point": "roman"}, UnknownLabel),
    ({"add": {"sdg": [4]}, "remove": {"sdg": ["4"]}}, BadCorrection),
    ({"add": {"levers": "alliance"}}, BadCorrection),
    ({}, BadCorrection),
])
def test_bad_edits_are_refused(kwargs, error):
    with pytest.raises(error):
        Edit.parse("guide", **kwargs)


def test_odd_ids_are_normalised():
    assert Edit.parse("guide", add={"sdg": ["4", 5]}).add == {"sdg": [4, 5]}


def test_a_correction_wins_is_idempotent_and_follows_the_passage(tmp_path):
    passage = _passage()
    corrections = Corrections(tmp_path / FILE_NAME)
    corrections.record(Edit.parse("guide", passage.id, add={"sdg": [11]}, remove={"levers": ["modele"]},
                                  entry_point="temoignage"), "Guide", [passage])
    corrections.save()
    loaded = Corrections.load(tmp_path)
    once = loaded.apply([_passage()])[0].tags
    assert [l.id for l in once.levers] == ["alliance"] and [l.id for l in once.sdg] == [11, 17]
    assert once.entry_point.id == "temoignage" and once.sdg[0].evidence == ["étiquette éditoriale"]
    again = loaded.apply([loaded.apply([_passage()])[0]])[0].tags
    assert again == once
    # the same text at another offset (the publication was edited above it): still found by its text
    moved = loaded.apply([_passage(start=120)])[0].tags
    assert moved == once
    # another text: not this correction's passage
    other = loaded.apply([_passage(text="Un autre passage.")])[0].tags
    assert [l.id for l in other.levers] == ["alliance", "modele"]


def test_confirming_freezes_the_labels_and_a_publication_edit_follows(tmp_path):
    passage = _passage()
    corrections = Corrections(tmp_path / FILE_NAME)
    corrections.record(Edit.parse("guide", passage.id, confirm=True, remove={"levers": ["modele"]}), "Guide", [passage])
    record = corrections.records[0]
    assert record.labels == {"levers": ["alliance"], "sdg": [17], "trades": [], "entry_point": "methode"}
    # a new model tags differently: the confirmed labels stay
    retagged = _passage()
    retagged.tags = Tags(levers=[Label("numerique", "Numérique", 0.9)], sdg=[], trades=[],
                         entry_point=Label("outil", "Outil", 0.8))
    tags = corrections.apply([retagged])[0].tags
    assert [l.id for l in tags.levers] == ["alliance"] and [l.id for l in tags.sdg] == [17]
    assert tags.entry_point.id == "methode"
    # a publication-wide addition reaches the confirmed passage too
    corrections.record(Edit.parse("guide", None, add={"trades": ["lieu"]}), "Guide", [passage])
    assert corrections.of_passage(passage).labels["trades"] == ["lieu"]
    row = corrections.training_rows()[0]
    assert row["levers"] == ["alliance"] and row["trades"] == ["lieu"] and row["text"] == passage.text
    labelled = [{"id": "p9", "source": "proceedings", "passage_id": passage.id, "group": "g", "levers": ["modele"],
                 "sdg": [], "trades": [], "entry_point": "outil", "text": passage.text, "section": "S", "section_kind": "text"}]
    merged = supersede(labelled + [row])
    assert len(merged) == 1 and merged[0]["id"] == "p9" and merged[0]["levers"] == ["alliance"]
    assert merged[0]["group"] == "g"


def test_the_file_is_replaced_atomically(tmp_path):
    corrections = Corrections(tmp_path / FILE_NAME, [Record("guide", "guide:1", add={"sdg": [4]})])
    corrections.save()
    assert not list(tmp_path.glob("*.tmp"))
    assert json.loads((tmp_path / FILE_NAME).read_text())["add"] == {"sdg": [4]}


# -- over HTTP ----------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def served(settings, embedder, tmp_path_factory):
    """The real app over HTTP, serving an index of one small Markdown publication (the session's
    model: a second one would cost its loading and an empty embedding cache)."""
    from api.context import Context
    from api.service import Service, ServiceConfig
    from ingest.settings import Settings

    root = tmp_path_factory.mktemp("corrections")
    corpus = root / "corpus"
    corpus.mkdir()
    (corpus / "guide-bellevue.md").write_text(GUIDE, encoding="utf-8")
    own = Settings(data_dir=root / "data", corpus_dir=corpus, model=settings.model, model_cache=settings.model_cache)
    service = Service(Context(own, embedder=embedder),
                      ServiceConfig(editor_token=EDITOR_TOKEN, search_rate=100, editor_rate=50))
    with serving(service, wait=300) as base, httpx.Client(base_url=base, timeout=120) as client:
        yield {"url": base, "service": service, "client": client, "data": own.data_dir}


DOC = "guide-bellevue"


def error_code(response) -> str:
    return response.json()["error"]["code"]


def passages(api, **params) -> list[dict]:
    r = api.get(f"/api/documents/{DOC}/passages", params=params, headers=AUTH)
    assert r.status_code == 200, r.text
    return r.json()["passages"]


def correct(api, **body) -> dict:
    r = api.post("/api/corrections", json={"doc_id": DOC, **body}, headers=AUTH)
    assert r.status_code == 202, r.text
    done = wait_for_job(api, r.json())
    assert done["status"] == "terminé", done
    return done


def ids(labels: list[dict]) -> list:
    return [l["id"] for l in labels]


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer faux"}, {"Authorization": f"Basic {EDITOR_TOKEN}"}])
def test_a_wrong_or_missing_token_changes_nothing(served, headers):
    api = served["client"]
    before = api.get("/health").json()["index"]["snapshot"]
    target = passages(api)[0]
    for r in (api.post("/api/corrections", json={"doc_id": DOC, "passage_id": target["id"], "add": {"sdg": [4]}},
                       headers=headers),
              api.post("/api/corrections", json={"doc_id": DOC, "confirm": True}, headers=headers),
              api.get(f"/api/documents/{DOC}/passages", headers=headers),
              api.get("/api/corrections", headers=headers)):
        assert r.status_code == 401 and error_code(r) == "bad_token", r.text
    assert api.get("/health").json()["index"]["snapshot"] == before
    assert not (served["data"] / FILE_NAME).exists() or \
        target["id"] not in (served["data"] / FILE_NAME).read_text()
    assert passages(api)[0] == target


def test_without_a_configured_token_correcting_is_off(served):
    api, config = served["client"], served["service"].config
    before = api.get("/health").json()["index"]["snapshot"]
    token, config.editor_token = config.editor_token, None
    try:
        r = api.post("/api/corrections", json={"doc_id": DOC, "confirm": True}, headers=AUTH)
        assert r.status_code == 403 and error_code(r) == "editing_disabled"
    finally:
        config.editor_token = token
    assert api.get("/health").json()["index"]["snapshot"] == before


def test_openapi_documents_the_corrections(served):
    paths = served["client"].get("/openapi.json").json()["paths"]
    assert {"/api/corrections", "/api/documents/{doc_id}/passages"} <= set(paths)
    assert "post" in paths["/api/corrections"] and "get" in paths["/api/corrections"]


@pytest.mark.parametrize("body, status, code", [
    ({"add": {"levers": ["inconnu"]}}, 422, "unknown_label"),
    ({"add": {"sdg": [18]}}, 422, "unknown_label"),
    ({"remove": {"couleurs": ["bleu"]}}, 422, "unknown_label"),
    ({"entry_point": "roman"}, 422, "unknown_label"),
    ({"add": {"sdg": [4]}, "remove": {"sdg": [4]}}, 422, "bad_correction"),
    ({}, 422, "bad_correction"),
    ({"passage_id": f"{DOC}:000000000000", "confirm": True}, 404, "unknown_passage"),
    ({"doc_id": "absent", "confirm": True}, 404, "unknown_document"),
])
def test_invalid_corrections_are_refused_before_anything_is_queued(served, body, status, code):
    api = served["client"]
    jobs = len(api.get("/api/jobs", headers=AUTH).json()["jobs"])
    before = api.get("/health").json()["index"]["snapshot"]
    r = api.post("/api/corrections", json={"doc_id": DOC, **body}, headers=AUTH)
    assert r.status_code == status and error_code(r) == code and r.json()["error"]["message"], r.text
    assert len(api.get("/api/jobs", headers=AUTH).json()["jobs"]) == jobs
    assert api.get("/health").json()["index"]["snapshot"] == before


def test_a_correction_is_what_search_counts_and_survives_a_reindex(served):
    api = served["client"]
    listed = passages(api)
    assert len(listed) >= 3
    target = next(p for p in listed if "tiers-lieu" in p["text"])
    # a lever the tagger did not give, and one it gave, taken away
    levers = api.get(f"/api/documents/{DOC}/passages", headers=AUTH).json()["labels"]["levers"]
    new_lever = next(l["id"] for l in levers if l["id"] not in ids(target["levers"]))
    gone = ids(target["levers"])[:1]
    correct(api, passage_id=target["id"], add={"levers": [new_lever]}, remove={"levers": gone}, confirm=True)

    def check() -> None:
        now = next(p for p in passages(api) if p["id"] == target["id"])
        assert now["confirmed"] and new_lever in ids(now["levers"]) and not set(gone) & set(ids(now["levers"]))
        assert now["levers"][0]["editorial"] and now["levers"][0]["score"] == 1.0
        # search sees the corrected tags: the record, the facet's count, the filter
        payload = api.get("/api/search", params={"q": "tiers-lieu crèche fablab réparation de vélos", "k": 10}).json()
        hit = next(h for h in payload["results"] if h["id"] == target["id"])
        assert new_lever in ids(hit["levers"]) and not set(gone) & set(ids(hit["levers"]))
        counts = {f["id"]: f["count"] for f in payload["facets"]["levers"]}
        with_lever = [h for h in api.get("/api/search", params={
            "q": "tiers-lieu crèche fablab réparation de vélos", "k": 50, "lever": new_lever}).json()["results"]]
        assert target["id"] in [h["id"] for h in with_lever]
        assert counts[new_lever] == len(with_lever) >= 1
        for lever in gone:
            assert all(h["id"] != target["id"] for h in api.get("/api/search", params={
                "q": "tiers-lieu crèche fablab réparation de vélos", "k": 50, "lever": lever}).json()["results"])

    check()
    stored = json.loads((served["data"] / FILE_NAME).read_text().splitlines()[0])
    assert stored["passage_id"] == target["id"] and stored["labels"]["levers"][0] == new_lever
    done = wait_for_job(api, api.post("/api/reindex", headers=AUTH).json())
    assert done["status"] == "terminé", done
    check()


def test_a_whole_publication_is_corrected_at_once(served):
    api = served["client"]
    odd = next(n for n in range(1, 17) if all(n not in ids(p["sdg"]) for p in passages(api)))
    correct(api, add={"sdg": [odd]})
    listed = passages(api)
    assert all(odd in ids(p["sdg"]) for p in listed)
    payload = api.get("/api/search", params={"q": "comité de pilotage des partenaires", "k": 50}).json()
    counts = {f["id"]: f["count"] for f in payload["facets"]["sdg"]}
    assert counts[odd] == payload["total"] > 0
    correct(api, remove={"sdg": [odd]})
    assert all(odd not in ids(p["sdg"]) for p in passages(api))


def test_a_correction_recorded_but_not_switched_in_is_applied_at_start(served):
    """What the service does at start (Indexer.apply_corrections) when a crash fell between a
    correction's record and its snapshot: the file is the truth."""
    api = served["client"]
    odd = next(n for n in range(1, 17) if all(n not in ids(p["sdg"]) for p in passages(api)))
    corrections = Corrections.load(served["data"])
    corrections.record(Edit.parse(DOC, add={"sdg": [odd]}), "Guide", [])
    corrections.save()
    indexer = served["service"].context.indexer
    unconfirmed = [p["id"] for p in passages(api) if not p["confirmed"]]    # a confirmed label set stays as it is
    assert indexer.apply_corrections() == len(unconfirmed) > 0
    assert all(odd in ids(p["sdg"]) for p in passages(api) if p["id"] in unconfirmed)
    assert indexer.apply_corrections() == 0          # in line now: nothing to do
    correct(api, remove={"sdg": [odd]})


def confirm_one(api) -> None:
    if not any(p["confirmed"] for p in passages(api)):
        correct(api, passage_id=passages(api)[0]["id"], confirm=True)


def test_to_check_lists_unconfirmed_passages_least_sure_first(served):
    api = served["client"]
    confirm_one(api)
    every, to_check = passages(api), passages(api, to_check=True)
    assert {p["id"] for p in to_check} == {p["id"] for p in every if not p["confirmed"]}
    assert [p["confidence"] for p in to_check] == sorted(p["confidence"] for p in to_check)
    assert len(to_check) < len(every)        # the passage confirmed above is no longer to check


def test_corrections_feed_the_next_training(served, tmp_path):
    """`catalyse train-tags` reads the confirmed passages of the data directory: they reach the rows
    the model is trained on (its data hash), replacing the labelled row of the same passage."""
    from api.cli import cmd_train_tags, parser
    from ingest.tag_model import LABELLED, TagModel, data_hash, load_rows

    api = served["client"]
    confirm_one(api)
    extra = Corrections.load(served["data"]).training_rows()
    assert extra and all(r["source"] == "editor" for r in extra)
    # a smaller labelled file keeps the test short: the first 60 rows (10 section groups, every entry
    # point; training's inner cross-validation costs in proportion: 30 s for 120 rows)
    small = tmp_path / "labelled.jsonl"
    small.write_text("\n".join(LABELLED.read_text(encoding="utf-8").splitlines()[:60]) + "\n", encoding="utf-8")
    out = tmp_path / "model.npz"
    cmd_train_tags(served["service"].context, parser().parse_args(["train-tags", "--data", str(small), "--out", str(out)]))
    model = TagModel.load(out)
    assert model.data_hash == data_hash(supersede(load_rows(small, extra)))
    assert model.data_hash != data_hash(load_rows(small))


# -- the editor page in Chromium --------------------------------------------------------------------

def test_editor_page_reviews_and_corrects_a_publications_tags(served, page):
    from playwright.sync_api import expect

    from conftest import ARTEFACTS

    api = served["client"]
    page.goto(served["url"] + "/editor")
    page.fill("#token", EDITOR_TOKEN)
    page.click("#token-form button")
    page.wait_for_selector("#editor-area:not([hidden])")
    page.click(f"#documents button[data-review='{DOC}']")
    page.wait_for_selector("#review .review-passage")
    page.check("#review-to-check")
    page.wait_for_selector("#review[data-to-check='1'] .review-passage")
    shown = page.locator("#review .review-passage").evaluate_all("els => els.map(e => e.dataset.passage)")
    expected = [p["id"] for p in passages(api, to_check=True)]
    assert shown == expected
    first = page.locator("#review .review-passage").first
    target = next(p for p in passages(api) if p["id"] == shown[0])
    assert "«" in first.inner_text() or first.locator(".evidence").count() >= 1
    page.screenshot(path=str(ARTEFACTS / "editor-review.png"), full_page=True)
    # take the first label away, add an ODD, confirm: each is a job, then the list shows the result
    facet, label = next((f, l) for f in ("levers", "sdg", "trades") for l in target[f])
    first.locator(f"button[data-remove='{facet}:{label['id']}']").click()
    odd = next(n for n in range(1, 17) if n not in ids(target["sdg"]))
    page.wait_for_selector("#review .review-passage")
    again = page.locator(f"#review .review-passage[data-passage='{target['id']}']")
    expect(again.locator(f"button[data-remove='{facet}:{label['id']}']")).to_have_count(0, timeout=60_000)
    again.locator("select.review-add").select_option(f"sdg:{odd}")
    again.locator("button.review-add").click()
    again = page.locator(f"#review .review-passage[data-passage='{target['id']}']")
    expect(again.locator(f"button[data-remove='sdg:{odd}']")).to_have_count(1, timeout=60_000)
    again.locator("button.review-confirm").click()
    page.wait_for_function("id => !document.querySelector(`#review .review-passage[data-passage='${id}']`)",
                           arg=target["id"], timeout=60_000)      # confirmed: no longer « à vérifier »
    page.screenshot(path=str(ARTEFACTS / "editor-review-corrected.png"), full_page=True)
    now = next(p for p in passages(api) if p["id"] == target["id"])
    assert now["confirmed"] and odd in ids(now["sdg"])
    assert label["id"] not in ids(now[facet])
