#!/usr/bin/env bash
# bench/iris.sh: speed of the iris pipeline, for BENCHMARKS.md.
#
#   1. One image through the whole pipeline (PNG decode -> segmentation -> rubber sheet ->
#      log-Gabor phase code) on one thread, pinned to one core: the median over five passes of
#      40 synthetic eyes (examples/pipeline_speed.rs), for 320x280 and 640x480.
#   2. `nightjar iris match A.png B.png` as a whole process (start, decode both, two templates,
#      rotation search, exit), with hyperfine, pinned to one core.
#   3. `nightjar iris key` (regenerate a key from an enrollment record) as a whole process.
#
# Usage:  bash bench/iris.sh        (needs hyperfine and taskset; builds with cargo)
# The peer: open-iris (Worldcoin) reports ~200 ms per image for its segmentation network alone
# on a CPU; it is not packaged for this machine (it needs its ONNX model from the network), so
# the comparison is with that published figure, not a side-by-side run.
set -euo pipefail
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}
cargo build --release -q -p nightjar -p nightjar-iris --example pipeline_speed
BIN=$CARGO_TARGET_DIR/release/nightjar
CORE=${CORE:-1}
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT

for size in 320x280 640x480; do
    taskset -c "$CORE" "$CARGO_TARGET_DIR/release/examples/pipeline_speed" "$size" 40
done

for size in 320x280 640x480; do
    "$BIN" iris synth --identity 7 --capture 0 --size "$size" -o "$W/a-$size.png" >/dev/null 2>&1
    "$BIN" iris synth --identity 7 --capture 1 --size "$size" -o "$W/b-$size.png" >/dev/null 2>&1
    "$BIN" iris enroll "$W/a-$size.png" -o "$W/r-$size.njir" >/dev/null 2>&1
done
hyperfine -N --warmup 3 --runs 30 --prepare "rm -f $W/k" --export-json "$W/h.json" \
    -n "iris match 320x280" "taskset -c $CORE $BIN iris match $W/a-320x280.png $W/b-320x280.png" \
    -n "iris match 640x480" "taskset -c $CORE $BIN iris match $W/a-640x480.png $W/b-640x480.png" \
    -n "iris key 320x280" "taskset -c $CORE $BIN iris key --record $W/r-320x280.njir $W/b-320x280.png -o $W/k" \
    -n "iris key 640x480" "taskset -c $CORE $BIN iris key --record $W/r-640x480.njir $W/b-640x480.png -o $W/k" >&2
python3 - "$W/h.json" <<'PY'
import json, sys
print("| command (one core, whole process) | median ms | min ms | max ms | runs |")
print("|---|---|---|---|---|")
for r in json.load(open(sys.argv[1]))["results"]:
    print(f"| `{r['command']}` | {r['median']*1000:.1f} | {r['min']*1000:.1f} | {r['max']*1000:.1f} | {len(r['times'])} |")
PY
