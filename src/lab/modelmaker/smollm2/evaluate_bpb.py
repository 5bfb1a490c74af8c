#!/usr/bin/env python3
"""Step 6 of the SmolLM2 draft: held-out loss and bits per byte of the trained draft (torch).

    work/venv/bin/python evaluate_bpb.py [--weights work/weights/draft]

Every held-out file (work/data/heldout.json: packages that never reached the training set) is cut
into consecutive 512-token windows, each evaluated from its start (no context carried over); the
first token of each file is not predicted. bits per byte = Σ NLL / ln 2 / Σ UTF-8 bytes of the files.
Writes work/eval/bpb.json.
"""
import argparse
import json
import math
import os
import sys
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tinypair"))
from model import Config, Llama  # noqa: E402

WORK = os.path.join(HERE, "work")
WINDOW = 512


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--weights", default=os.path.join(WORK, "weights", "draft"))
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    ck = torch.load(os.path.join(args.weights, "model.pt"))
    model = Llama(Config(**ck["config"]))
    model.load_state_dict(ck["state"])
    model.eval()
    docs = json.load(open(os.path.join(WORK, "data", "heldout.json")))
    nll, tokens, nbytes, t0 = 0.0, 0, 0, time.time()
    with torch.no_grad():
        for d in docs:
            ids = d["tokens"]
            nbytes += d["bytes"]
            for s in range(0, len(ids) - 1, WINDOW):
                x = torch.tensor(ids[s:s + WINDOW + 1])[None]
                if x.shape[1] < 2:
                    continue
                logits = model(x[:, :-1])
                nll += F.cross_entropy(logits[0], x[0, 1:], reduction="sum").item()
                tokens += x.shape[1] - 1
    out = {"window": WINDOW, "files": len(docs), "predicted_tokens": tokens, "bytes": nbytes,
           "loss_nats_per_token": nll / tokens, "bits_per_byte": nll / math.log(2) / nbytes,
           "bytes_per_token": nbytes / tokens, "seconds": round(time.time() - t0, 1)}
    os.makedirs(os.path.join(WORK, "eval"), exist_ok=True)
    with open(os.path.join(WORK, "eval", "bpb.json"), "w") as f:
        json.dump(out, f, indent=1)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
