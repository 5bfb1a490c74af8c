#!/usr/bin/env bash
# Rebuilds the tiny target/draft pair from scratch: corpus → tokenizer → data → training (the
# target on the data, then the draft distilled from the exported target) → GGUF export →
# torch/llama.cpp agreement → metrics.json. The two GGUF files go to media/models/tinypair/.
# Run from anywhere; needs Debian's python3-torch, python3-sentencepiece, python3-numpy,
# libopenblas0-pthread, and `npm ci` done in the repository. Intermediate files go to
# src/lab/modelmaker/tinypair/work/ (git-ignored).
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
REPO="$(cd "$HERE/../../../.." && pwd)"
PY=/usr/bin/python3
OUT="$REPO/out/src/lab/modelmaker/tinypair"
cd "$REPO"
mkdir -p "$HERE/work/logs"
stamp() { date +%s; }
t0=$(stamp)

$PY "$HERE/prepare_corpus.py"
$PY "$HERE/train_tokenizer.py"
npx tsc -p . || echo "tsc reported errors elsewhere in the repository; continuing with the compiled tinypair scripts"
test -f "$OUT/build_data.js" -a -f "$OUT/export.js" -a -f "$OUT/verify.js"
node "$OUT/build_data.js" --rows512 8000 --rows1024 1000 --fim-eval 300
t1=$(stamp)

# Training, torch on 2 threads: the target, then the draft distilled from it (the teacher is the
# target with F16-rounded matrices, i.e. the weights its GGUF will hold).
$PY "$HERE/train.py" target 2>&1 | tee "$HERE/work/logs/target.out"
$PY "$HERE/train.py" draft 2>&1 | tee "$HERE/work/logs/draft.out"
t2=$(stamp)

node "$OUT/export.js" target draft
$PY "$HERE/reference.py" target draft
node "$OUT/verify.js" target draft
$PY "$HERE/evaluate.py"
t3=$(stamp)
echo "data $((t1 - t0)) s, training (wall) $((t2 - t1)) s, export+evaluation $((t3 - t2)) s"
