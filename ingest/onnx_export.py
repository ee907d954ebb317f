"""The converted default model as ONNX Runtime runs it for questions, without torch in the process.

Written once into the model folder (``onnx/``) by a process that has torch (the conversion's):
- ``encoder.onnx``: the float32 BertModel from token embeddings to the pooled, normalised vector;
- ``word_embeddings.npy``: the 250,002 × 384 token embeddings (384 MB), memory-mapped at question
  time, so only the rows of the tokens asked for become resident (in the graph, ONNX Runtime would
  hold all of them);
- ``tokenizer.model``: the same unigram vocabulary and scores as ``tokenizer.json``, for SentencePiece,
  this tokenizer's reference implementation (49 MB resident, where `tokenizers` holds 280 MB for it);
- ``normalizer.json``: the steps of ``tokenizer.json``'s normaliser, which SentencePiece is told to
  leave to us (``OnnxEngine.normalise`` applies them as `tokenizers` does).
Token ids and vectors equal sentence-transformers' (tests/test_model.py)."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np

FILES = ("encoder.onnx", "word_embeddings.npy", "tokenizer.model", "normalizer.json")
OPSET = 17


def onnx_folder(model_dir: Path) -> Path:
    return Path(model_dir) / "onnx"


def sentencepiece_model(tokenizer: dict) -> bytes:
    """A SentencePiece unigram model with ``tokenizer.json``'s pieces, in its ids' order; the text
    arrives normalised, so SentencePiece only adds the « ▁ » prefix and marks spaces, as the
    Metaspace pre-tokenizer does."""
    from sentencepiece import sentencepiece_model_pb2 as pb

    model = tokenizer["model"]
    special = {token["id"]: token["content"] for token in tokenizer["added_tokens"]}
    unk = model["unk_id"]
    proto = pb.ModelProto()
    spec = proto.trainer_spec
    spec.model_type = pb.TrainerSpec.UNIGRAM
    ids = {content: i for i, content in special.items()}
    spec.unk_id, spec.bos_id, spec.eos_id, spec.pad_id = unk, ids["<s>"], ids["</s>"], ids["<pad>"]
    proto.normalizer_spec.name = "identity"
    proto.normalizer_spec.add_dummy_prefix = True
    proto.normalizer_spec.remove_extra_whitespaces = False
    proto.normalizer_spec.escape_whitespaces = True
    for i, (piece, score) in enumerate(model["vocab"]):
        entry = proto.pieces.add()
        entry.piece, entry.score = piece, score
        entry.type = (pb.ModelProto.SentencePiece.UNKNOWN if i == unk else
                      pb.ModelProto.SentencePiece.CONTROL if i in special else pb.ModelProto.SentencePiece.NORMAL)
    return proto.SerializeToString()


def export(model_dir: Path) -> Path:
    """Write ``onnx/`` beside the sentence-transformers model in ``model_dir`` (atomically)."""
    import torch
    from sentence_transformers import SentenceTransformer

    target = onnx_folder(model_dir)
    work = target.with_name(target.name + ".partial")
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    bert = SentenceTransformer(str(model_dir), device="cpu").eval()[0].auto_model

    class Encoder(torch.nn.Module):
        """Token embeddings → mean over the attention mask → unit vector (modules 1_Pooling, 2_Normalize)."""

        def __init__(self):
            super().__init__()
            self.bert = bert

        def forward(self, inputs_embeds, attention_mask):
            hidden = self.bert(inputs_embeds=inputs_embeds, attention_mask=attention_mask).last_hidden_state
            mask = attention_mask.unsqueeze(-1).to(hidden.dtype)
            return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1), dim=1)

    example = (torch.zeros(1, 8, bert.config.hidden_size), torch.ones(1, 8, dtype=torch.long))
    axes = {"inputs_embeds": {0: "texts", 1: "tokens"}, "attention_mask": {0: "texts", 1: "tokens"},
            "vector": {0: "texts"}}
    with torch.inference_mode():
        torch.onnx.export(Encoder().eval(), example, str(work / "encoder.onnx"), dynamo=False, opset_version=OPSET,
                          input_names=["inputs_embeds", "attention_mask"], output_names=["vector"], dynamic_axes=axes)
    np.save(work / "word_embeddings.npy", bert.embeddings.word_embeddings.weight.detach().numpy())
    tokenizer = json.loads((Path(model_dir) / "tokenizer.json").read_text(encoding="utf-8"))
    (work / "tokenizer.model").write_bytes(sentencepiece_model(tokenizer))
    (work / "normalizer.json").write_text(json.dumps(tokenizer["normalizer"], ensure_ascii=False), encoding="utf-8")
    shutil.rmtree(target, ignore_errors=True)
    work.rename(target)
    return target
