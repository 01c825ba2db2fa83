#!/usr/bin/env python3
"""PyTorch reference for `csmed bench encoder` and `csmed bench adapters` (optional; never in CI).

Measures with torch + transformers (+ peft for the adapters) the figures csmed measures, so the two
can be run one after the other on the same cores and compared figure by figure:

    python benchmarks/pytorch_reference.py --model data/models/all-MiniLM-L6-v2 --format json
    python benchmarks/pytorch_reference.py --adapters --format json          # + every adapter
    python benchmarks/pytorch_reference.py --adapters lora,dora --only forward --runs 3

Needs torch and transformers (peft for every adapter but `full`); nothing in the Swift package
depends on it, and no test or CI job runs it. It mirrors

    csmed bench encoder --format json    -> forward_tokens_per_s, train_full_tokens_per_s, docs_per_s
    csmed bench adapters --format json   -> adapters[]: adapter, train_tokens_per_s, trainable_params

Every figure is the median of --runs timed runs after one warm-up run, with
torch.set_num_threads(--threads):

  forward_tokens_per_s     BertModel forward under torch.inference_mode, --batch-forward x --length
                           tokens (real abstracts padded or truncated to exactly --length).
  train_full_tokens_per_s  one full fine-tuning step at --batch-train x --length: model.train()
                           (dropout on), forward, mean pooling, linear head 384->2, cross-entropy,
                           backward, AdamW step (lr 2e-5) over the encoder and the head.
  docs_per_s               sentence embeddings (mean pooling over the attention mask, L2 normalize,
                           max length --length) of --docs real abstracts, tokenization included,
                           sorted by length and embedded in batches of 32 padded to their longest.
  peak_rss_mb              peak resident set size of the process (VmHWM, i.e. ru_maxrss / 1024 of
                           a fresh process on Linux), also printed after each phase.
  adapters[]               per method, in a fresh subprocess so its peak RSS is its own: the train
                           step above at --batch-train x --length with peft LoraConfig on
                           ["query", "value"], r=8, lora_alpha=8, dropout 0 (rslora: use_rslora;
                           dora: use_dora; pissa: init_lora_weights="pissa"; full: no peft), the
                           head always trainable. trainable_params excludes the head
                           (LoRA/rsLoRA/PiSSA r=8: 73,728; DoRA: 78,336).

The model is loaded without BERT's pooler (add_pooling_layer=False): mean pooling never uses it,
and csmed's encoder has none, so `full` counts the same parameters csmed trains.
"""
import argparse
import csv
import glob
import json
import os
import resource
import statistics
import subprocess
import sys
import time
import warnings

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
import torch.nn.functional as F  # noqa: E402
from transformers import AutoModel, AutoTokenizer  # noqa: E402
from transformers import __version__ as transformers_version  # noqa: E402
from transformers.utils import logging as hf_logging  # noqa: E402

hf_logging.set_verbosity_error()  # no load report for the pooler weights the model skips
hf_logging.disable_progress_bar()
warnings.filterwarnings("ignore", category=FutureWarning)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALL_ADAPTERS = "lora,rslora,dora,pissa,full"
PHASES = ("forward", "train", "docs")


def peak_rss_mb():
    """Peak RSS of this process in MB: VmHWM where /proc has it, else ru_maxrss / 1024.

    Linux carries ru_maxrss across fork + exec, so an adapter worker's ru_maxrss would start at
    this parent's peak; VmHWM belongs to the new address space and starts from zero at exec.
    """
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmHWM:")) / 1024
    except (OSError, StopIteration):
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def timed(runs, step):
    """Seconds of `runs` calls of `step` after one warm-up call."""
    step()
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        step()
        times.append(time.perf_counter() - start)
    return times


def load_texts(corpora, count):
    """The first `count` title + abstract texts of the Cohen 2006 CSVs (records with an abstract)."""
    texts = []
    for path in sorted(glob.glob(os.path.join(corpora, "cohen2006", "*.csv"))):
        with open(path, newline="", encoding="utf-8") as f:
            for row in csv.DictReader(f):
                if row.get("abstract"):
                    texts.append(row["title"] + " " + row["abstract"])
                    if len(texts) == count:
                        return texts
    raise SystemExit(f"only {len(texts)} abstracts under {corpora}/cohen2006, need {count}")


def load_model(directory):
    return AutoModel.from_pretrained(directory, add_pooling_layer=False)


def mean_pool(hidden, mask):
    mask = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9)


def fixed_batch(tokenizer, texts, batch, length):
    return tokenizer(texts[:batch], padding="max_length", truncation=True, max_length=length, return_tensors="pt")


def train_step_timer(encoder, head, enc, runs):
    """Times one fine-tuning step over every parameter that requires grad (encoder and head)."""
    encoder.train()
    head.train()
    params = [p for p in list(encoder.parameters()) + list(head.parameters()) if p.requires_grad]
    optimizer = torch.optim.AdamW(params, lr=2e-5)
    labels = torch.tensor([1 if i % 4 == 0 else 0 for i in range(enc["input_ids"].shape[0])])

    def step():
        optimizer.zero_grad(set_to_none=True)
        hidden = encoder(input_ids=enc["input_ids"], attention_mask=enc["attention_mask"]).last_hidden_state
        loss = F.cross_entropy(head(mean_pool(hidden, enc["attention_mask"])), labels)
        loss.backward()
        optimizer.step()

    return timed(runs, step)


def measure_forward(args, model, tokenizer, texts):
    enc = fixed_batch(tokenizer, texts, args.batch_forward, args.length)
    model.eval()
    with torch.inference_mode():
        times = timed(args.runs, lambda: model(**enc))
    return args.batch_forward * args.length, times


def measure_train(args, model, tokenizer, texts):
    enc = fixed_batch(tokenizer, texts, args.batch_train, args.length)
    head = torch.nn.Linear(model.config.hidden_size, 2)
    return args.batch_train * args.length, train_step_timer(model, head, enc, args.runs)


def measure_docs(args, model, tokenizer, texts):
    docs = texts[: args.docs]
    model.eval()

    def embed():
        order = sorted(range(len(docs)), key=lambda i: -len(docs[i]))
        out = [None] * len(docs)
        for start in range(0, len(order), 32):
            chunk = order[start : start + 32]
            enc = tokenizer([docs[i] for i in chunk], padding=True, truncation=True,
                            max_length=args.length, return_tensors="pt")
            vectors = F.normalize(mean_pool(model(**enc).last_hidden_state, enc["attention_mask"]), dim=-1)
            for i, v in zip(chunk, vectors):
                out[i] = v
        return torch.stack(out)

    with torch.inference_mode():
        times = timed(args.runs, embed)
    return len(docs), times


def adapter_worker(args):
    """Child process: one method's train step; prints one JSON object."""
    method = args.adapter_worker
    model = load_model(args.model)
    head = torch.nn.Linear(model.config.hidden_size, 2)
    if method != "full":
        from peft import LoraConfig, get_peft_model

        extra = {"lora": {}, "rslora": {"use_rslora": True}, "dora": {"use_dora": True},
                 "pissa": {"init_lora_weights": "pissa"}}[method]
        config = LoraConfig(r=8, lora_alpha=8, lora_dropout=0.0, target_modules=["query", "value"], **extra)
        model = get_peft_model(model, config)
    trainable = sum(p.numel() for p in model.parameters() if p.requires_grad)
    tokenizer = AutoTokenizer.from_pretrained(args.model)
    enc = fixed_batch(tokenizer, load_texts(args.corpora, args.batch_train), args.batch_train, args.length)
    times = train_step_timer(model, head, enc, args.runs)
    print(json.dumps({"adapter": method, "train_tokens_per_s": args.batch_train * args.length / statistics.median(times),
                      "trainable_params": trainable, "peak_rss_mb": peak_rss_mb(),
                      "seconds": [round(t, 4) for t in times]}))


def run_adapter(args, method):
    command = [sys.executable, os.path.abspath(__file__), "--adapter-worker", method, "--model", args.model,
               "--corpora", args.corpora, "--threads", str(args.threads), "--runs", str(args.runs),
               "--batch-train", str(args.batch_train), "--length", str(args.length)]
    done = subprocess.run(command, stdout=subprocess.PIPE, text=True)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        return {"adapter": method, "error": f"worker exited with status {done.returncode}"}
    return json.loads(lines[-1])


def parse_args():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", default=os.path.join(ROOT, "data", "models", "all-MiniLM-L6-v2"))
    ap.add_argument("--corpora", default="/work/shared/corpora", help="folder holding cohen2006/*.csv")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--batch-forward", type=int, default=32)
    ap.add_argument("--batch-train", type=int, default=16)
    ap.add_argument("--length", type=int, default=256)
    ap.add_argument("--docs", type=int, default=512)
    ap.add_argument("--only", default=",".join(PHASES), help="comma list of forward,train,docs ('' for none)")
    ap.add_argument("--adapters", nargs="?", const=ALL_ADAPTERS, default=None,
                    help=f"also time adapter train steps (bare flag: {ALL_ADAPTERS})")
    ap.add_argument("--format", choices=("table", "json"), default="table")
    ap.add_argument("--adapter-worker", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.runs < 1:
        ap.error("--runs must be at least 1")
    args.only = [p for p in args.only.split(",") if p]
    if unknown := set(args.only) - set(PHASES):
        ap.error(f"--only: unknown {sorted(unknown)} (known: {', '.join(PHASES)})")
    args.adapters = [a for a in (args.adapters or "").split(",") if a]
    if unknown := set(args.adapters) - set(ALL_ADAPTERS.split(",")):
        ap.error(f"--adapters: unknown {sorted(unknown)} (known: {ALL_ADAPTERS})")
    return args


def main():
    args = parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(7)
    if args.adapter_worker:
        return adapter_worker(args)

    report = {"torch_version": torch.__version__, "transformers_version": transformers_version,
              "threads": args.threads}
    rows, phase_rss = [], {}
    if args.only:
        tokenizer = AutoTokenizer.from_pretrained(args.model)
        texts = load_texts(args.corpora, max(args.batch_forward, args.batch_train,
                                             args.docs if "docs" in args.only else 0))
    phases = {"forward": ("forward_tokens_per_s", "tokens", measure_forward,
                          f"forward, batch {args.batch_forward} x {args.length}"),
              "train": ("train_full_tokens_per_s", "tokens", measure_train,
                        f"full fine-tune train step (AdamW), batch {args.batch_train} x {args.length}"),
              "docs": ("docs_per_s", "documents", measure_docs,
                       f"embed {args.docs} real abstracts (dynamic padding, max {args.length})")}
    for phase in PHASES:
        if phase not in args.only:
            continue
        key, unit, measure, label = phases[phase]
        model = load_model(args.model)  # fresh weights: the train step changes them
        count, times = measure(args, model, tokenizer, texts)
        report[key] = count / statistics.median(times)
        phase_rss[phase] = peak_rss_mb()
        rows.append((label, statistics.median(times), times, f"{report[key]:,.1f} {unit}/s", phase_rss[phase]))
        del model
    report["peak_rss_mb"] = peak_rss_mb()
    report["phase_peak_rss_mb"] = phase_rss
    if args.adapters:
        report["adapters"] = [run_adapter(args, method) for method in args.adapters]

    if args.format == "json":
        print(json.dumps(report, indent=2))
        return
    print(f"torch {torch.__version__}, transformers {transformers_version}, threads {args.threads}, "
          f"median of {args.runs} runs after one warm-up")
    if rows:
        print(f"\n{'measure':<58} {'median s':>9} {'per second':>20} {'peak RSS MB':>12}  runs (s)")
        for label, median, times, rate, rss in rows:
            print(f"{label:<58} {median:>9.3f} {rate:>20} {rss:>12.0f}  {' '.join(f'{t:.2f}' for t in times)}")
    print(f"\npeak RSS of this process: {report['peak_rss_mb']:.0f} MB")
    if args.adapters:
        print(f"\n{'adapter':<8} {'train tokens/s':>15} {'trainable params':>17} {'peak RSS MB':>12}")
        for a in report["adapters"]:
            if "error" in a:
                print(f"{a['adapter']:<8} {a['error']}")
            else:
                print(f"{a['adapter']:<8} {a['train_tokens_per_s']:>15,.1f} {a['trainable_params']:>17,} "
                      f"{a['peak_rss_mb']:>12.0f}")


if __name__ == "__main__":
    main()
