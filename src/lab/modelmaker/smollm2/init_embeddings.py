#!/usr/bin/env python3
"""Step 3 of the SmolLM2 draft: the draft's starting embeddings, a PCA projection of SmolLM2's
own (dequantised) token embeddings to the draft's width.

    work/venv/bin/python init_embeddings.py TARGET.gguf D     → work/init/embed_<D>.npy (float32, vocab × D)

SmolLM2 ties its embeddings, so E (49 152 × 576) is both its input table and its output layer. With
E ≈ U S Vᵀ, the draft starts from E V_D (the coordinates of every token along E's top D principal
directions; the mean is not removed, so the projection is exact on the top-D subspace), scaled to
an RMS of 0.05 per coordinate, which keeps the first logits of a normalised hidden state moderate.
Needs gguf-py (pip install gguf==0.17.1) and numpy.
"""
import json
import os
import sys
import time

import numpy as np
from gguf import GGUFReader
from gguf.quants import dequantize

HERE = os.path.dirname(os.path.abspath(__file__))


def main():
    path, d = sys.argv[1], int(sys.argv[2])
    t0 = time.time()
    r = GGUFReader(path)
    t = next(t for t in r.tensors if t.name == "token_embd.weight")
    e = dequantize(t.data, t.tensor_type).astype(np.float32)  # (vocab, 576)
    # Top right singular vectors from the 576 × 576 Gram matrix (cheap and deterministic).
    gram = (e.astype(np.float64).T @ e.astype(np.float64))
    w, v = np.linalg.eigh(gram)
    order = np.argsort(w)[::-1]
    w, v = w[order], v[:, order]
    # Fix each vector's sign (largest component positive) so the result does not depend on LAPACK.
    v = v * np.sign(v[np.abs(v).argmax(axis=0), np.arange(v.shape[1])])
    proj = (e @ v[:, :d].astype(np.float32))
    proj *= 0.05 / np.sqrt((proj ** 2).mean())
    out = os.path.join(HERE, "work", "init")
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, f"embed_{d}.npy"), proj.astype(np.float32))
    info = {"source": os.path.basename(path), "tensor_type": t.tensor_type.name, "shape": list(e.shape), "d": d,
            "energy_kept": float(w[:d].sum() / w.sum()), "seconds": round(time.time() - t0, 1)}
    with open(os.path.join(out, f"embed_{d}.json"), "w") as f:
        json.dump(info, f, indent=1)
    print(json.dumps(info))


if __name__ == "__main__":
    main()
