#!/usr/bin/env python3
"""Step 4 of the SmolLM2 draft: train the draft on the tokenized corpus (left to right).

    python3 train.py [--steps N] [--threads T]

Reads work/data/{train.u16, heldout.json} (tokenize_corpus.ts) and work/init/embed_<D>.npy
(init_embeddings.py); writes work/weights/draft/{model.pt, weights.f32, manifest.json} (the format
../tinypair/export.ts reads, which export.ts here reads too) and work/logs/draft.json.

The model is ../tinypair/model.py's llama decoder (exactly what llama.cpp evaluates for
general.architecture = "llama"), with tied embeddings over SmolLM2's 49 152 tokens. Loss: next-token
cross-entropy on every position of 512-token windows drawn at random (seeded) from the training
stream; files are separated by <|endoftext|>, as in SmolLM2's own pre-training.
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tinypair"))
from model import Config, Llama  # noqa: E402

WORK = os.path.join(HERE, "work")
VOCAB = 49152
SEED = 20261201
SHAPE = dict(d=96, layers=3, heads=3, ffn=384)
HYPER = dict(seq=512, batch=2, lr=3e-3, min_lr_fraction=0.1, warmup=40, weight_decay=0.01, betas=(0.9, 0.95),
             grad_clip=1.0, freeze_embeddings=True, final_norm_init=6.0, embed_init="PCA of SmolLM2's token embeddings (init_embeddings.py)", val_windows=24, val_every=100)


def heldout_windows(n, seq):
    docs = json.load(open(os.path.join(WORK, "data", "heldout.json")))
    stream = []
    for d in docs:
        stream += d["tokens"] + [0]
    stream = np.array(stream, dtype=np.int64)
    starts = np.linspace(0, len(stream) - seq - 2, n).astype(np.int64)
    return torch.from_numpy(np.stack([stream[s:s + seq + 1] for s in starts]))


def lr_at(step, total):
    if step < HYPER["warmup"]:
        return HYPER["lr"] * (step + 1) / HYPER["warmup"]
    p = (step - HYPER["warmup"]) / max(1, total - HYPER["warmup"])
    m = HYPER["min_lr_fraction"]
    return HYPER["lr"] * (m + (1 - m) * 0.5 * (1 + math.cos(math.pi * p)))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--steps", type=int, default=400)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--out", default="draft")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)

    train = np.memmap(os.path.join(WORK, "data", "train.u16"), dtype="<u2", mode="r")
    seq, batch = HYPER["seq"], HYPER["batch"]
    cfg = Config(vocab=VOCAB, context=8192, tied=True, **SHAPE)
    model = Llama(cfg)
    emb = np.load(os.path.join(WORK, "init", f"embed_{cfg.d}.npy"))
    with torch.no_grad():
        model.embed.weight.copy_(torch.from_numpy(emb))
    # The (tied) embedding table stays the PCA projection of SmolLM2's: its gradient through the
    # 49 152-token output layer would cost a third of every step on these two cores.
    model.embed.weight.requires_grad_(not HYPER["freeze_embeddings"])
    # Logits are h·e with |e| ≈ 0.05·sqrt(d): the final norm's gain sets their range. Started at 1 it
    # capped the logits near ±5 and the first run stalled at 8.1 nats after 100 steps; started at
    # final_norm_init the logits can reach a confident range from the start.
    with torch.no_grad():
        model.norm.weight.fill_(HYPER["final_norm_init"])
    decay = [p for n, p in model.named_parameters() if p.dim() == 2 and p.requires_grad]
    no_decay = [p for n, p in model.named_parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": HYPER["weight_decay"]}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=HYPER["lr"], betas=HYPER["betas"])
    vb = heldout_windows(HYPER["val_windows"], 256)

    def val_loss():
        model.eval()
        with torch.no_grad():
            loss = sum(F.cross_entropy(model(vb[i:i + 4, :-1]).reshape(-1, VOCAB), vb[i:i + 4, 1:].reshape(-1)).item()
                       for i in range(0, len(vb), 4)) / math.ceil(len(vb) / 4)
        model.train()
        return loss

    curve, val_curve = [], []
    t0 = time.time()
    val_curve.append({"step": 0, "heldout_loss": round(val_loss(), 4), "seconds": 0.0})
    print(json.dumps(val_curve[-1]), flush=True)
    own = 0.0
    for step in range(args.steps):
        starts = rng.integers(0, len(train) - seq - 1, size=batch)
        x = torch.from_numpy(np.stack([train[s:s + seq + 1].astype(np.int64) for s in starts]))
        s0 = time.time()
        for g in opt.param_groups:
            g["lr"] = lr_at(step, args.steps)
        logits = model(x[:, :-1])
        loss = F.cross_entropy(logits.reshape(-1, VOCAB), x[:, 1:].reshape(-1))
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], HYPER["grad_clip"])
        opt.step()
        own += time.time() - s0
        if step % 10 == 0 or step == args.steps - 1:
            curve.append({"step": step, "loss": round(loss.item(), 4), "lr": round(lr_at(step, args.steps), 6),
                          "seconds": round(time.time() - t0, 1)})
            print(json.dumps(curve[-1]), flush=True)
        if (step + 1) % HYPER["val_every"] == 0 or step == args.steps - 1:
            val_curve.append({"step": step + 1, "heldout_loss": round(val_loss(), 4), "train_loss": round(loss.item(), 4),
                              "seconds": round(time.time() - t0, 1)})
            print(json.dumps(val_curve[-1]), flush=True)
            save(model, cfg, args, curve, val_curve, own, time.time() - t0)
    save(model, cfg, args, curve, val_curve, own, time.time() - t0)


def save(model, cfg, args, curve, val_curve, own, wall):
    out = os.path.join(WORK, "weights", args.out)
    os.makedirs(out, exist_ok=True)
    torch.save({"config": cfg.to_dict(), "state": model.state_dict()}, os.path.join(out, "model.pt"))
    tensors, offset = [], 0
    with open(os.path.join(out, "weights.f32"), "wb") as f:
        for name, t in model.gguf_tensors():
            a = t.detach().float().contiguous().numpy()
            f.write(a.astype("<f4").tobytes())
            tensors.append({"name": name, "shape": list(a.shape), "offset": offset})
            offset += a.size * 4
    counts = model.param_counts()
    with open(os.path.join(out, "manifest.json"), "w") as f:
        json.dump({"name": args.out, "config": cfg.to_dict(), "tensors": tensors, "params": counts}, f, indent=1)
    os.makedirs(os.path.join(WORK, "logs"), exist_ok=True)
    log = {"name": args.out, "config": cfg.to_dict(), "params": counts, "seed": SEED, "steps": args.steps,
           "tokens_seen": (val_curve[-1]["step"]) * HYPER["seq"] * HYPER["batch"],
           "hyper": {**HYPER, "threads": args.threads, "optimizer": "AdamW", "schedule": "linear warmup, cosine to min_lr_fraction",
                     "objective": "next-token cross-entropy on the data (no teacher)"},
           "train_seconds": round(own, 1), "wall_seconds": round(wall, 1), "torch": torch.__version__,
           "loss_curve": curve, "heldout_val_curve": val_curve}
    with open(os.path.join(WORK, "logs", f"{args.out}.json"), "w") as f:
        json.dump(log, f, indent=1)


if __name__ == "__main__":
    main()
