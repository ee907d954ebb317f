"""Snapshots, add / remove / reindex round-trips and crash safety, on real files and the real model."""
import json

import pytest

from index.index import Index, ModelMismatch
from index.indexer import DuplicateDocument, UnknownDocument
from index.snapshots import Snapshots
from ingest.errors import UnreadableDocument

from conftest import KIT_TEXT


def write_kit(folder, name="kit-tiers-lieux", text=KIT_TEXT):
    path = folder / f"{name}.md"
    path.write_text(text, encoding="utf-8")
    return path


def test_add_search_remove_round_trip(fresh, tmp_path, embedder):
    from search.searcher import Searcher

    kit = write_kit(tmp_path)
    [change] = fresh.add([(kit, {"title": "Kit des tiers-lieux", "tags": {"trades": ["lieu"]}})])
    assert change.status == "added" and change.passages >= 1
    index = Index.current(fresh.data_dir)
    assert index.stats()["documents"] == 1 and index.stats()["vectors"] == index.stats()["passages"]
    assert index.store.source_files() == {"kit-tiers-lieux": "kit-tiers-lieux.md"}   # what a cited page links to
    hits = Searcher(index, embedder).search("fablab de quartier animé par des jeunes", k=3).hits
    assert hits and hits[0].passage.doc_id == "kit-tiers-lieux"
    assert hits[0].passage.tags.trades[0].id == "lieu"          # the editor's tag
    assert hits[0].record()["doc_title"] == "Kit des tiers-lieux"
    assert (fresh.originals / "kit-tiers-lieux" / "kit-tiers-lieux.md").exists()

    assert fresh.add([(kit, {"title": "Kit des tiers-lieux", "tags": {"trades": ["lieu"]}})])[0].status == "unchanged"
    removed = fresh.remove("kit-tiers-lieux")
    assert removed.status == "removed" and removed.passages == change.passages
    index = Index.current(fresh.data_dir)
    assert index.stats()["documents"] == 0 and len(index.vectors) == 0
    assert Searcher(index, embedder).search("fablab", k=3).hits == []
    with pytest.raises(UnknownDocument):
        fresh.remove("kit-tiers-lieux")


def test_update_replaces_passages(fresh, tmp_path):
    kit = write_kit(tmp_path)
    fresh.add([(kit, {})])
    before = Index.current(fresh.data_dir).stats()["passages"]
    write_kit(tmp_path, text=KIT_TEXT + "\n## Évaluer\n\nUn bilan annuel mesure l'utilité sociale du lieu pour le quartier "
                                   "avec des indicateurs partagés entre partenaires : fréquentation, projets accompagnés, "
                                   "emplois créés et satisfaction des habitants.\n")
    assert fresh.add([(kit, {})])[0].status == "updated"
    index = Index.current(fresh.data_dir)
    assert index.stats()["documents"] == 1 and index.stats()["passages"] > before
    assert index.stats()["vectors"] == index.stats()["passages"]


def test_reindex_rebuilds_from_originals(fresh, tmp_path):
    fresh.add([(write_kit(tmp_path), {"title": "Kit"})])
    first = Index.current(fresh.data_dir)
    ids = sorted(first.store.passages(first.store.vids_of_document("kit-tiers-lieux")))
    texts = sorted(p.text for p in first.store.passages(first.store.vids_of_document("kit-tiers-lieux")).values())
    fresh.reindex()
    again = Index.current(fresh.data_dir)
    assert again.path != first.path
    assert sorted(p.text for p in again.store.passages(again.store.vids_of_document("kit-tiers-lieux")).values()) == texts
    assert len(ids) == again.stats()["passages"]
    assert again.store.document("kit-tiers-lieux").title == "Kit"


def test_bad_file_changes_nothing(fresh, tmp_path):
    fresh.add([(write_kit(tmp_path), {})])
    before = Index.current(fresh.data_dir)
    broken = tmp_path / "rapport.pdf"
    broken.write_bytes(b"%PDF-1.7 nothing else")
    with pytest.raises(UnreadableDocument):
        fresh.add([(broken, {})])
    after = Index.current(fresh.data_dir)
    assert after.path == before.path and after.stats() == before.stats()
    assert not (fresh.originals / "rapport").exists()


def test_same_content_under_another_name_is_refused(fresh, tmp_path):
    fresh.add([(write_kit(tmp_path), {})])
    with pytest.raises(DuplicateDocument):
        fresh.add([(write_kit(tmp_path, name="copie"), {})])


def test_crash_between_snapshot_and_switch_keeps_the_old_index(fresh, tmp_path, monkeypatch, embedder):
    from search.searcher import Searcher

    fresh.add([(write_kit(tmp_path), {})])
    old = Index.current(fresh.data_dir)

    def crash(self, name):
        raise KeyboardInterrupt("killed while switching")

    monkeypatch.setattr(Snapshots, "switch", crash)
    other = write_kit(tmp_path, name="autre-kit", text=KIT_TEXT.replace("tiers-lieu", "atelier"))
    with pytest.raises(KeyboardInterrupt):
        fresh.add([(other, {})])
    monkeypatch.undo()
    loaded = Index.current(fresh.data_dir)
    assert loaded.path == old.path and loaded.stats()["documents"] == 1
    assert Searcher(loaded, embedder).search("coworking", k=2).hits
    fresh.add([(other, {})])  # the next write works and cleans the orphan build
    assert Index.current(fresh.data_dir).stats()["documents"] == 2
    assert len([p for p in fresh.snapshots.root.iterdir()]) <= fresh.snapshots.keep


def test_the_index_refuses_another_model(fresh, tmp_path):
    fresh.add([(write_kit(tmp_path), {})])
    index = Index.current(fresh.data_dir)
    assert json.loads((index.path / "config.json").read_text())["model"] == fresh.model
    with pytest.raises(ModelMismatch):
        index.check_model("sentence-transformers/all-MiniLM-L6-v2")


def test_corpus_index(index, settings):
    from index.indexer import publications

    stats = index.stats()
    assert stats["documents"] == len(publications(settings.corpus_dir)) >= 2         # counted, not assumed
    assert stats["passages"] == stats["vectors"] > 200
    doc = index.store.document("actes-6e-rencontre-2020")
    assert doc.metadata["genre"] == "actes" and doc.metadata["date"] == "2020-07-08"


def test_a_store_written_before_0_3_0_gives_a_publications_kind_as_its_genre(tmp_path):
    """Snapshots and originals written before the rename say « kind »: read, they say « genre »."""
    from index.store import Store
    from ingest.document import Document

    store = Store(tmp_path / "store.sqlite")
    old = Document(id="kit", title="Kit", text="Un kit.", page_starts=[0], metadata={"kind": "kit", "date": "2020"})
    store.add(old, [], [], "2020-01-01")
    assert store.document("kit").metadata == {"genre": "kit", "date": "2020"}
    assert store.documents()[0]["metadata"] == {"genre": "kit", "date": "2020"}
