#!/usr/bin/env python3
"""Check a `csmed export-adapter --format peft` directory in Hugging Face PEFT.

Run by hand, never in CI (it needs torch, transformers and peft, and the real base model):

    python scripts/peft_check.py --base data/models/all-MiniLM-L6-v2 --adapter OUT

Loads the base with transformers' AutoModel, applies the adapter with
PeftModel.from_pretrained(base, OUT), and for every input of OUT/csmed_reference.json computes the
mean over the attention mask of the last hidden state (not normalised) and, when
OUT/csmed_head.safetensors exists, the logits `pooled @ head.weight.T + head.bias`. It prints the
largest absolute difference from csmed's values (computed by csmed in Float at export time) and
exits with status 1 when it is above --tol (default 1e-4).

The model is fed csmed's token ids (stored in the reference), so only the encoder and the adapter
are compared; whether Hugging Face's tokenizer gives the same ids is reported separately. The
difference with the adapter disabled is printed too: it shows how much the adapter changes the
outputs, i.e. that the check is not passing trivially.
"""

import argparse
import json
import os
import sys

import torch
from peft import PeftModel
from safetensors import safe_open
from safetensors.torch import load_file
from transformers import AutoModel, AutoTokenizer


def mean_pool(hidden, mask):
    m = mask.unsqueeze(-1).to(hidden.dtype)
    return (hidden * m).sum(dim=1) / m.sum(dim=1)


def outputs(model, items, head):
    pooled, logits = [], []
    with torch.no_grad():
        for item in items:
            ids = torch.tensor([item["input_ids"]], dtype=torch.long)
            types = torch.tensor([item["token_type_ids"]], dtype=torch.long)
            mask = torch.ones_like(ids)
            hidden = model(input_ids=ids, token_type_ids=types, attention_mask=mask).last_hidden_state
            p = mean_pool(hidden, mask)[0]
            pooled.append(p)
            if head is not None:
                logits.append(p @ head["head.weight"].T + head["head.bias"])
    return pooled, logits


def max_diff(values, key, items):
    return max(float((v - torch.tensor(item[key], dtype=torch.float32)).abs().max()) for v, item in zip(values, items))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the base model directory (e.g. data/models/all-MiniLM-L6-v2)")
    parser.add_argument("--adapter", required=True, help="the directory written by csmed export-adapter --format peft")
    parser.add_argument("--tol", type=float, default=1e-4, help="largest accepted absolute difference (default 1e-4)")
    args = parser.parse_args()

    with open(os.path.join(args.adapter, "csmed_reference.json")) as f:
        ref = json.load(f)
    with open(os.path.join(args.adapter, "adapter_config.json")) as f:
        config = json.load(f)
    items = ref["items"]
    head_path = os.path.join(args.adapter, "csmed_head.safetensors")
    head = load_file(head_path) if os.path.exists(head_path) else None
    if head is not None:
        head = {k: v.to(torch.float32) for k, v in head.items()}

    torch.manual_seed(0)
    base = AutoModel.from_pretrained(args.base, dtype=torch.float32)
    model = PeftModel.from_pretrained(base, args.adapter)
    model.eval()

    # Every tensor of the file must have landed on a LoRA layer, and PEFT must adapt nothing else.
    with safe_open(os.path.join(args.adapter, "adapter_model.safetensors"), "pt") as f:
        keys = list(f.keys())
    expected = {k.split(".lora_")[0] for k in keys}
    adapted = {name for name, module in model.named_modules() if hasattr(module, "lora_A") and "default" in module.lora_A}
    ok_sites = expected == adapted
    state = model.state_dict()
    mismatched = []
    with safe_open(os.path.join(args.adapter, "adapter_model.safetensors"), "pt") as f:
        for k in keys:
            loaded_key = k.replace(".lora_A.weight", ".lora_A.default.weight").replace(
                ".lora_B.weight", ".lora_B.default.weight").replace(
                ".lora_magnitude_vector", ".lora_magnitude_vector.default.weight")
            if loaded_key not in state or not torch.equal(state[loaded_key], f.get_tensor(k).to(state[loaded_key].dtype)):
                mismatched.append(k)

    tokenizer = AutoTokenizer.from_pretrained(args.base)
    token_mismatches = 0
    for item in items:
        enc = tokenizer(item["text"], item.get("text_pair"), truncation=True, max_length=ref["max_length"])
        if enc["input_ids"] != item["input_ids"] or enc["token_type_ids"] != item["token_type_ids"]:
            token_mismatches += 1

    pooled, logits = outputs(model, items, head)
    with model.disable_adapter():
        base_pooled, base_logits = outputs(model, items, head)

    d_pooled = max_diff(pooled, "pooled", items)
    d_base = max_diff(base_pooled, "pooled", items)
    print(f"adapter: {args.adapter}  method {ref['method']}  kind {ref['kind']}  r {config['r']}  "
          f"lora_alpha {config['lora_alpha']}  use_rslora {config['use_rslora']}  use_dora {config['use_dora']}")
    print(f"target_modules: {config['target_modules']}  layers_to_transform: {config.get('layers_to_transform')}")
    print(f"sites: {len(adapted)} adapted by PEFT, {len(expected)} in the file: {'match' if ok_sites else 'MISMATCH'}")
    if not ok_sites:
        print(f"  only in PEFT: {sorted(adapted - expected)}\n  only in the file: {sorted(expected - adapted)}")
    print(f"tensors loaded unchanged: {len(keys) - len(mismatched)}/{len(keys)}")
    print(f"tokenizer: Hugging Face ids equal csmed's for {len(items) - token_mismatches}/{len(items)} inputs")
    print(f"pooled hidden state: max |PEFT - csmed| = {d_pooled:.3e}   (adapter disabled: {d_base:.3e})")
    worst = d_pooled
    if head is not None:
        d_logits = max_diff(logits, "logits", items)
        d_base_logits = max_diff(base_logits, "logits", items)
        print(f"logits:              max |PEFT - csmed| = {d_logits:.3e}   (adapter disabled: {d_base_logits:.3e})")
        worst = max(worst, d_logits)
    passed = worst <= args.tol and ok_sites and not mismatched
    print(f"{'PASS' if passed else 'FAIL'} (tolerance {args.tol:g})")
    return 0 if passed else 1


if __name__ == "__main__":
    sys.exit(main())
