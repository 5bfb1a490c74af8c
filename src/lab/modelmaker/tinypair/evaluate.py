#!/usr/bin/env python3
"""Step 7: held-out evaluation of the pair and src/lab/modelmaker/tinypair/metrics.json.

    /usr/bin/python3 evaluate.py [--fim N]

Models are evaluated in torch with every 2-D matrix rounded to F16, i.e. the weights that the
GGUF files hold (verify.ts checks that node-llama-cpp agrees with these to ~1e-5).

Measured on held-out packages only (never seen by the tokenizer or the training):
* bits per byte: every held-out file, tokenized whole, evaluated in windows of <s> + 1023 tokens;
  total nats of all file tokens / ln 2 / UTF-8 bytes of the files.
* FIM, teacher forced: for each held-out FIM prompt (PSM and SPM, ≤ 1024 tokens, cut at a
  character position) and each position of the TRUE middle (its </s> included), given the true
  context: does argmax(draft) == argmax(target)? Also the draft's entropy there (nats, T = 1).
* FIM, greedy speculative simulation: the target decodes greedily from the prompt (≤ 32 tokens or
  up to its </s>). Along that path, at each position, the draft's argmax given the same context is
  compared with the target's token. This is exactly the per-token acceptance of greedy
  speculative decoding (a drafted token is kept iff it equals the target's argmax given the
  accepted context). From the match sequence we also derive the expected tokens per target pass
  for draft lengths k = 1..8 (accept the run of matches up to k, plus the target's own token).
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import model as model_module  # noqa: E402
from reference import load_model  # noqa: E402

WORK = os.path.join(HERE, "work")
EOS = 2
ENTROPY_EDGES = [0.0, 0.1, 0.25, 0.5, 1.0, 1.5, 2.0, 3.0, math.inf]
GREEDY_MAX = 32


@torch.no_grad()
def bits_per_byte(model, docs, window=1024, batch=4):
    chunks = []
    for d in docs:
        t = d["tokens"]
        for s in range(0, len(t), window - 1):
            chunks.append([1] + t[s:s + window - 1])
    nats, tokens = 0.0, 0
    full = [c for c in chunks if len(c) == window]
    rest = [c for c in chunks if len(c) != window]
    groups = [full[i:i + batch] for i in range(0, len(full), batch)] + [[c] for c in rest]
    for g in groups:
        x = torch.tensor(g)
        logp = model(x[:, :-1]).log_softmax(-1)
        nats -= logp.gather(-1, x[:, 1:, None]).double().sum().item()
        tokens += x.shape[0] * (x.shape[1] - 1)
    total_bytes = sum(d["bytes"] for d in docs)
    return {"bits_per_byte": nats / math.log(2) / total_bytes, "nats_per_token": nats / tokens, "tokens": tokens,
            "bytes": total_bytes, "window_tokens": window}


def entropy(logits):
    lp = logits.double().log_softmax(-1)
    return -(lp.exp() * lp).sum(-1)


def table(ent, agree):
    rows = []
    for lo, hi in zip(ENTROPY_EDGES[:-1], ENTROPY_EDGES[1:]):
        sel = (ent >= lo) & (ent < hi)
        n = int(sel.sum())
        rows.append({"entropy_nats": [lo, None if math.isinf(hi) else hi], "count": n,
                     "acceptance": None if n == 0 else round(float(agree[sel].mean()), 4)})
    return rows


def tokens_per_pass(matches_per_example, k):
    """Greedy speculative decoding with draft length k along each target path: mean tokens per target pass."""
    produced, passes = 0, 0
    for m in matches_per_example:
        j = 0
        while j < len(m):
            run = 0
            while run < k and j + run < len(m) and m[j + run]:
                run += 1
            # the target pass confirms `run` drafted tokens and yields its own next token
            produced += min(run + 1, len(m) - j)
            j += run + 1
            passes += 1
    return produced / passes


@torch.no_grad()
def fim_eval(target, draft, examples):
    tf = {"agree": [], "entropy": [], "draft_correct": [], "target_correct": [], "layout": [], "target_p_of_draft": []}
    greedy = {"matches": [], "entropy": [], "agree": [], "layout": [], "exact_middle": []}
    for e in examples:
        seq = e["prompt"] + e["middle"]
        x = torch.tensor([seq])
        n0 = len(e["prompt"]) - 1  # logits at n0 predict middle[0]
        lt = target(x)[0, n0:n0 + len(e["middle"])]
        ld = draft(x)[0, n0:n0 + len(e["middle"])]
        at, ad = lt.argmax(-1), ld.argmax(-1)
        truth = torch.tensor(e["middle"])
        tf["agree"] += (at == ad).tolist()
        tf["entropy"] += entropy(ld).tolist()
        tf["draft_correct"] += (ad == truth).tolist()
        tf["target_correct"] += (at == truth).tolist()
        tf["layout"] += [e["layout"]] * len(e["middle"])
        tf["target_p_of_draft"] += lt.softmax(-1).gather(-1, ad[:, None])[:, 0].tolist()
        # greedy path of the target
        cache = target.new_cache()
        logits = target.forward_cached(torch.tensor([e["prompt"]]), cache)[0, -1]
        path = []
        while len(path) < GREEDY_MAX:
            tok = int(logits.argmax())
            path.append(tok)
            if tok == EOS:
                break
            logits = target.forward_cached(torch.tensor([[tok]]), cache)[0, -1]
        ldp = draft(torch.tensor([e["prompt"] + path]))[0, len(e["prompt"]) - 1:len(e["prompt"]) - 1 + len(path)]
        m = (ldp.argmax(-1) == torch.tensor(path)).tolist()
        greedy["matches"].append(m)
        greedy["agree"] += m
        greedy["entropy"] += entropy(ldp).tolist()
        greedy["layout"] += [e["layout"]] * len(path)
        greedy["exact_middle"].append(path == e["middle"][:GREEDY_MAX] and (path[-1] == EOS or len(e["middle"]) > GREEDY_MAX))
    return tf, greedy


def training_total(logs):
    """Wall time of training both models: one `train.py pair` run, or the sum of two separate runs."""
    walls = [logs[n].get("wall_seconds") for n in ("target", "draft")]
    if walls[0] is not None and walls[0] == walls[1]:
        return walls[0]
    return round(sum(w if w is not None else logs[n]["train_seconds"] for w, n in zip(walls, ("target", "draft"))), 1)


def rounded(x, n=4):
    return None if x is None else round(float(x), n)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--fim", type=int, default=150, help="number of held-out FIM cuts (each in PSM and SPM)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--target", default="target")
    ap.add_argument("--draft", default="draft")
    ap.add_argument("--out", default=os.path.join(HERE, "metrics.json"))
    ap.add_argument("--gguf-dir", default=os.path.join(HERE, "..", "..", "..", "..", "media", "models", "tinypair"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    t0 = time.time()
    target, draft = load_model(args.target), load_model(args.draft)
    docs = json.load(open(os.path.join(WORK, "data", "heldout_docs.json")))
    fim = json.load(open(os.path.join(WORK, "data", "heldout_fim.json")))[:2 * args.fim]
    bpb = {"target": bits_per_byte(target, docs), "draft": bits_per_byte(draft, docs)}
    print(json.dumps(bpb), flush=True)
    tf, greedy = fim_eval(target, draft, fim)
    agree = np.array(tf["agree"], dtype=float)
    ent = np.array(tf["entropy"])
    g_agree = np.array(greedy["agree"], dtype=float)
    g_ent = np.array(greedy["entropy"])
    layouts = np.array(tf["layout"])
    g_layouts = np.array(greedy["layout"])
    acceptance = {
        "teacher_forced": {
            "what": "fraction of true-middle positions (incl. </s>) of held-out FIM prompts where argmax(draft) == argmax(target), given the true context",
            "positions": len(agree), "acceptance": rounded(agree.mean()),
            "by_layout": {l: rounded(agree[layouts == l].mean()) for l in ("psm", "spm")},
            "draft_top1_accuracy": rounded(np.mean(tf["draft_correct"])),
            "target_top1_accuracy": rounded(np.mean(tf["target_correct"])),
            "mean_target_prob_of_draft_argmax": rounded(np.mean(tf["target_p_of_draft"])),
            "entropy_table": table(ent, agree)},
        "greedy_speculative": {
            "what": f"target decodes greedily (<= {GREEDY_MAX} tokens or its </s>) from each held-out FIM prompt; per position of that path, does argmax(draft) given the same context equal the target's token (= per-token acceptance of greedy speculative decoding)",
            "positions": len(g_agree), "acceptance": rounded(g_agree.mean()),
            "by_layout": {l: rounded(g_agree[g_layouts == l].mean()) for l in ("psm", "spm")},
            "tokens_per_target_pass": {str(k): rounded(tokens_per_pass(greedy["matches"], k), 3) for k in range(1, 9)},
            "target_greedy_equals_true_middle": rounded(np.mean(greedy["exact_middle"])),
            "entropy_table": table(g_ent, g_agree)},
    }
    print(json.dumps(acceptance, indent=1), flush=True)
    eval_seconds = time.time() - t0

    def load(p):
        with open(p) as f:
            return json.load(f)
    manifest = load(os.path.join(WORK, "corpus", "manifest.json"))
    stats = load(os.path.join(WORK, "data", "stats.json"))
    vocab = load(os.path.join(WORK, "tokenizer", "vocab.json"))
    logs = {n: load(os.path.join(WORK, "logs", f"{getattr(args, n)}.json")) for n in ("target", "draft")}
    compare = {}
    for n in ("target", "draft"):
        p = os.path.join(WORK, "compare", f"{getattr(args, n)}.result.json")
        compare[n] = load(p) if os.path.exists(p) else None
    files = {n: {"file": f"{n}.gguf", "bytes": os.path.getsize(os.path.join(args.gguf_dir, f"{getattr(args, n)}.gguf"))}
             for n in ("target", "draft")}
    params = {n: logs[n]["params"] for n in ("target", "draft")}
    # a tiny reference the mocha test checks against the committed GGUF files (ggml's F16 input rounding emulated)
    model_module.EMULATE_GGML_F16 = True
    refs = []
    for e in fim[:2]:
        x = torch.tensor([e["prompt"]])
        entry = {"layout": e["layout"], "prompt": e["prompt"]}
        for n, m in (("target", target), ("draft", draft)):
            with torch.no_grad():
                p = m(x)[0, -1].double().softmax(-1)
            top = p.topk(5)
            entry[n] = [[int(i), round(float(v), 7)] for v, i in zip(top.values, top.indices)]
        refs.append(entry)
    metrics = {
        "description": "Draftstop tiny target/draft pair trained on JavaScript/TypeScript from node_modules; see README.md",
        "files": files,
        "size_bytes_total": files["target"]["bytes"] + files["draft"]["bytes"],
        "params": params,
        "draft_to_target_non_embedding_ratio": round(params["draft"]["non_embedding"] / params["target"]["non_embedding"], 4),
        "architecture": {n: logs[n]["config"] for n in ("target", "draft")},
        "tokenizer": {"type": "SentencePiece BPE (llama.cpp SPM tokenizer), byte fallback, no space prefix",
                      "vocab_size": len(vocab["tokens"]), "learned_pieces": vocab["learned_pieces"],
                      "special": {"unk": 0, "bos": 1, "eos": 2, "fim_prefix": 3, "fim_suffix": 4, "fim_middle": 5},
                      "byte_tokens": "<0x00>..<0xFF> at ids 6..261",
                      "train_bytes_per_token": round(stats["train_bytes_per_token"], 4),
                      "heldout_bytes_per_token": round(stats["heldout"]["bytes_per_token"], 4),
                      "sentencepiece": vocab["sentencepiece"]},
        "corpus": {"source": "repository node_modules (JS/TS sources, see prepare_corpus.py filters)",
                   "train": manifest["train"], "heldout": manifest["heldout"],
                   "heldout_packages": manifest["heldout_packages"], "skipped_files": manifest["skipped_files"],
                   "filters": manifest["filters"],
                   "packages": manifest["packages"]},
        "training_data": stats,
        "heldout_bits_per_byte": {n: {k: (rounded(v, 5) if isinstance(v, float) else v) for k, v in bpb[n].items()} for n in bpb},
        "bits_per_byte_gap": rounded(bpb["draft"]["bits_per_byte"] - bpb["target"]["bits_per_byte"], 4),
        "acceptance": acceptance,
        "training": {n: {"seconds_own_steps": logs[n]["train_seconds"], "wall_seconds_of_run": logs[n].get("wall_seconds"),
                         "hyper": logs[n]["hyper"], "torch": logs[n]["torch"],
                         "loss_curve": logs[n]["loss_curve"], "heldout_val_curve": logs[n]["heldout_val_curve"]}
                     for n in ("target", "draft")},
        "training_seconds_total": training_total(logs),
        "seeds": {"corpus": "deterministic (sorted walk)", "tokenizer": "SentencePiece BPE is deterministic",
                  "data": stats["seed"], "target": logs["target"]["hyper"]["seed"], "draft": logs["draft"]["hyper"]["seed"]},
        "gguf_vs_torch": compare,
        "reference_next_token": {"what": "top-5 next-token probabilities (T = 1) after held-out FIM prompts, torch with F16-rounded weights and F16-rounded matmul inputs (as ggml)", "prompts": refs},
        "eval_seconds": round(eval_seconds, 1),
    }
    with open(args.out, "w") as f:
        json.dump(metrics, f, indent=1)
        f.write("\n")
    print(f"wrote {args.out} ({eval_seconds:.0f}s)")


if __name__ == "__main__":
    main()
