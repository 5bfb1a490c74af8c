#!/usr/bin/env bash
# Runs compiled mocha test files N times in a row while every core is kept busy by another
# process, and says how many runs passed: a test that passes or fails on the machine's speed shows
# up here as a count below N.
#
#   npx tsc -p . && bash test/reliability/repeat.sh [N] out/test/modelmaker/paddedTarget.test.js ...
#
# N defaults to 5. Each run is one mocha process over all the files, with the reliability figures
# (test/reliability/figures.ts) loaded. The busy loops (`node -e "for(;;){}"`, one per core,
# BUSY_JOBS to change that) are started before the first run and ended after the last, by their
# own process ids. The output of each run goes to $REPEAT_LOG_DIR (a fresh temporary folder by
# default); failing runs are shown in full. Exits 0 only when every run passed.
set -u

runs=5
if [[ $# -gt 0 && $1 =~ ^[0-9]+$ ]]; then
  runs=$1
  shift
fi
if [[ $# -eq 0 ]]; then
  echo "usage: $0 [N] out/test/<file>.test.js..." >&2
  exit 2
fi
# The files are named from the repository root, as mocha is run there.
cd "$(dirname "$0")/../.." || exit 2
for file in "$@"; do
  if [[ ! -f $file ]]; then
    echo "$file does not exist (build first: npx tsc -p .)" >&2
    exit 2
  fi
done
log_dir=${REPEAT_LOG_DIR:-$(mktemp -d -t draftstop-repeat-XXXXXX)}
mkdir -p "$log_dir"
busy_jobs=${BUSY_JOBS:-$(nproc)}

busy=()
stop_busy() {
  for pid in "${busy[@]}"; do kill "$pid" 2>/dev/null; done
  for pid in "${busy[@]}"; do wait "$pid" 2>/dev/null; done
  busy=()
}
trap stop_busy EXIT
trap 'exit 130' INT TERM
for ((i = 0; i < busy_jobs; i++)); do
  node -e "for(;;){}" &
  busy+=($!)
done
echo "repeat: $runs run(s) of $* beside $busy_jobs busy process(es); logs in $log_dir"

passed=0
for ((run = 1; run <= runs; run++)); do
  log="$log_dir/run-$run.log"
  started=$SECONDS # a figure for the summary line, never a verdict
  if npx mocha --no-config --timeout 600000 --enable-source-maps --node-option expose-gc \
      --require ./out/test/reliability/figures.js "$@" >"$log" 2>&1; then
    passed=$((passed + 1))
    echo "run $run/$runs: passed ($((SECONDS - started)) s)"
  else
    echo "run $run/$runs: FAILED ($((SECONDS - started)) s), $log:"
    grep -E "passing|failing|pending" "$log" | sed 's/^/    /'
    sed -n '/failing/,$p' "$log" | head -60 | sed 's/^/    /'
  fi
done

stop_busy
echo "repeat: $passed of $runs run(s) passed under load"
[[ $passed -eq $runs ]]
