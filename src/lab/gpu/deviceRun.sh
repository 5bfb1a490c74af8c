#!/bin/bash
# The single device command of issue 14 (docs/gpu.md). From the repository root:
#   bash src/lab/gpu/deviceRun.sh [--gpu cuda|off] [--billions 7] [--blocks 32] [--quick-bench 1] [--bench-timeout 300]
# with .cache/gpu-kit carried. It unpacks the kit (its own node, node-llama-cpp and the sm_90 CUDA
# backend), makes the big padded target (billions × 10⁹ F16 parameters of zero-output width on the
# tiny trained pair's target; a sparse file, seconds), runs passcost and a quick benchmark with
# --gpu, and writes at most 8 files to $OUT (or .cache/gpu-run): passcost.json, profile.json (the
# cost profile passcost measured, for npm run bench -- --clock profile:FILE), bench.json,
# results.tar.gz (every file the benchmark wrote, plots included), log.txt, env.txt.
# The CPU dry run: --gpu off --billions 0.5 (measured here in docs/gpu.md).
set -u
REPO=$(cd "$(dirname "$0")/../../.." && pwd)
GPU=cuda; BILLIONS=7; BLOCKS=32; BENCH_TIMEOUT=300; PASSCOST_TIMEOUT=150; QUICK=1
while [ $# -gt 0 ]; do
  case "$1" in
    --gpu) GPU=$2; shift 2;; --billions) BILLIONS=$2; shift 2;; --blocks) BLOCKS=$2; shift 2;;
    --bench-timeout) BENCH_TIMEOUT=$2; shift 2;; --passcost-timeout) PASSCOST_TIMEOUT=$2; shift 2;;
    --quick-bench) QUICK=$2; shift 2;;
    *) echo "deviceRun: unknown option $1" >&2; exit 2;;
  esac
done
RESULTS=${OUT:-$REPO/.cache/gpu-run}
KIT=${KIT:-$REPO/.cache/gpu-kit/kit.tar.xz}
WORK=${WORK:-/tmp/draftstop-gpu-kit}
mkdir -p "$RESULTS"
LOG=$RESULTS/log.txt
exec > >(tee "$LOG") 2>&1
T0=$(date +%s)
stamp() { echo "[$(( $(date +%s) - T0 )) s] $*"; }

stamp "unpacking $KIT into $WORK"
rm -rf "$WORK"; mkdir -p "$WORK"
if ! tar -C "$WORK" -xJf "$KIT" 2>/dev/null; then
  stamp "tar -xJ failed; unpacking with Python's lzma"
  python3 -c "import tarfile,sys; tarfile.open(sys.argv[1]).extractall(sys.argv[2])" "$KIT" "$WORK" || exit 1
fi
NODE=$WORK/bin/node
mkdir -p "$WORK/media/models"
ln -sfn "$REPO/media/models/tinypair" "$WORK/media/models/tinypair"
# The kit has no CPU package (kit.ts, CPU_PACKAGE): --gpu off runs where npm ci put one, as here.
[ -d "$REPO/node_modules/@node-llama-cpp/linux-x64" ] && ln -sfn "$REPO/node_modules/@node-llama-cpp/linux-x64" "$WORK/node_modules/@node-llama-cpp/linux-x64"

# CUDA 13's runtime and cuBLAS: the toolkit's, else the Python wheels' (nvidia-cuda-runtime, nvidia-cublas).
LIBS=""
for d in /usr/local/cuda/lib64 /usr/local/cuda/targets/x86_64-linux/lib; do [ -d "$d" ] && LIBS="$LIBS:$d"; done
PYLIBS=$(python3 -c "import nvidia, os; print(':'.join(os.path.join(p, 'cu13', 'lib') for p in nvidia.__path__))" 2>/dev/null || true)
export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:-}$LIBS${PYLIBS:+:$PYLIBS}"

{
  echo "date: $(date -u)"; uname -a; echo "node: $("$NODE" -v)"; echo "gpu: $GPU billions: $BILLIONS blocks: $BLOCKS"
  echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
  command -v nvidia-smi >/dev/null && nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv
  nproc; grep -m1 "model name" /proc/cpuinfo
} > "$RESULTS/env.txt" 2>&1
cat "$RESULTS/env.txt"

stamp "restoring the sm_90 CUDA library"
"$NODE" "$WORK/dist/gpu/unpack.js" "$WORK" || exit 1

BIG=$WORK/big-target.gguf
stamp "making the big padded target ($BILLIONS B parameters, $BLOCKS blocks)"
"$NODE" "$WORK/dist/gpu/bigTarget.js" --source "$WORK/media/models/tinypair/target.gguf" --out "$BIG" --billions "$BILLIONS" --blocks "$BLOCKS" || exit 1

stamp "passcost --gpu $GPU"
timeout "$PASSCOST_TIMEOUT" "$NODE" "$WORK/dist/cli/passcost.js" --model "$BIG" --gpu "$GPU" --json \
  --draft "$WORK/media/models/tinypair/draft.gguf" --profile "$RESULTS/profile.json" > "$RESULTS/passcost.json"
echo "passcost rc=$?"; cat "$RESULTS/passcost.json"

stamp "benchmark --gpu $GPU"
mkdir -p "$WORK/results/plots"
BENCH_ARGS=(--target "$BIG" --draft "$WORK/media/models/tinypair/draft.gguf" --gpu "$GPU" --temperatures 0,1
  --tasks "$REPO/src" --json "$WORK/results/bench.json" --plots "$WORK/results/plots")
[ "$QUICK" = 1 ] && BENCH_ARGS+=(--quick)
# BENCH_EXTRA="--count 1 --edit-count 0 --repeats 1 --temperatures 0": a smaller line-up (the CPU dry run)
[ -n "${BENCH_EXTRA:-}" ] && BENCH_ARGS+=($BENCH_EXTRA)
(cd "$WORK" && timeout "$BENCH_TIMEOUT" "$NODE" "$WORK/dist/cli/bench.js" "${BENCH_ARGS[@]}")
echo "bench rc=$?"
[ -f "$WORK/results/bench.json" ] && cp "$WORK/results/bench.json" "$RESULTS/bench.json"
tar -C "$WORK/results" -czf "$RESULTS/results.tar.gz" .
stamp "done"
