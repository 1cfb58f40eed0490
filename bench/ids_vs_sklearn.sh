#!/usr/bin/env bash
# bench/ids_vs_sklearn.sh: the detector's training and inference speed, in one run.
#
#   1. Export the `window` feature matrices of the lab's train and test captures as CSV
#      (`nightjar ids train --export-csv`, `nightjar ids eval --export-csv`).
#   2. Train on the same train CSV, to the same test accuracy, with the same network (hidden
#      32,16, tanh, Adam lr 1e-3, batch 128, log-loss, no L2): Nightjar's MLP
#      (crates/ids/examples/csv_train.rs) and scikit-learn's MLPClassifier (bench/ids_vs_sklearn.py,
#      partial_fit one epoch at a time). Only training is timed; accuracy checks are not.
#      RUNS rounds, interleaved; medians and their ratio reported.
#   3. Feature extraction + inference rate: `nightjar ids eval --json` over the train, val and
#      test captures together (reading, window features, MLP), RUNS times; median packets/s.
#
# Usage:   bash bench/ids_vs_sklearn.sh > report.md     (progress on stderr, Markdown on stdout)
# Needs:   cargo; python3 with venv (scikit-learn is pip-installed into a venv under /tmp).
# Knobs (environment):
#   NIGHTJAR_BIN / CSV_TRAIN_BIN   prebuilt binaries (default: cargo build --release)
#   CARGO_TARGET_DIR               where cargo builds (default: <repo>/target)
#   VENV                           the Python venv (default /tmp/nightjar-bench-venv)
#   TARGET_ACC                     test accuracy both must reach (default 0.99)
#   EPOCHS                         epoch cap for both (default 30)
#   RUNS                           rounds (default 3)
#   SEED                           seed for both (default 1)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CAPS="$REPO/data/captures"
VENV=${VENV:-/tmp/nightjar-bench-venv}
TARGET_ACC=${TARGET_ACC:-0.99}
EPOCHS=${EPOCHS:-30}
RUNS=${RUNS:-3}
SEED=${SEED:-1}
export CARGO_TARGET_DIR=${CARGO_TARGET_DIR:-$REPO/target}

log() { printf '[ids-bench] %s\n' "$*" >&2; }
die() { printf '[ids-bench] error: %s\n' "$*" >&2; exit 2; }

for n in train val test; do
    [ -f "$CAPS/$n.pcap" ] && [ -f "$CAPS/$n.labels.json" ] || die "missing $CAPS/$n.pcap or its labels (lab/make-dataset.sh)"
done

if [ -z "${NIGHTJAR_BIN:-}" ] || [ -z "${CSV_TRAIN_BIN:-}" ]; then
    log "building nightjar and the csv_train example (release)"
    (cd "$REPO" && cargo build --release -q -p nightjar && cargo build --release -q -p nightjar-ids --example csv_train) >&2
fi
NJ=${NIGHTJAR_BIN:-$CARGO_TARGET_DIR/release/nightjar}
CT=${CSV_TRAIN_BIN:-$CARGO_TARGET_DIR/release/examples/csv_train}

if [ ! -x "$VENV/bin/python" ] || ! "$VENV/bin/python" -c 'import sklearn' 2>/dev/null; then
    log "creating $VENV with scikit-learn"
    python3 -m venv "$VENV" >&2
    "$VENV/bin/pip" install -q --upgrade pip >&2
    "$VENV/bin/pip" install -q scikit-learn >&2
fi
PY="$VENV/bin/python"

W=$(mktemp -d "${TMPDIR:-/tmp}/nightjar-ids-bench.XXXXXX")
trap 'rm -rf "$W"' EXIT

log "exporting feature CSVs"
"$NJ" ids train --capture "$CAPS/train.pcap" --labels "$CAPS/train.labels.json" --features window \
    --epochs 1 -o "$W/export.njm" --export-csv "$W/train.csv" >/dev/null
"$NJ" ids eval --model "$W/export.njm" --capture "$CAPS/test.pcap" --labels "$CAPS/test.labels.json" \
    --export-csv "$W/test.csv" --json >/dev/null
TRAIN_ROWS=$(($(wc -l < "$W/train.csv") - 1))
TEST_ROWS=$(($(wc -l < "$W/test.csv") - 1))

ARGS=(--train "$W/train.csv" --test "$W/test.csv" --target-acc "$TARGET_ACC" --epochs "$EPOCHS" --seed "$SEED")
for r in $(seq 1 "$RUNS"); do
    log "round $r/$RUNS: nightjar"
    "$CT" "${ARGS[@]}" > "$W/nj-$r.json"
    log "round $r/$RUNS: scikit-learn"
    "$PY" "$REPO/bench/ids_vs_sklearn.py" "${ARGS[@]}" > "$W/sk-$r.json"
done

log "feature extraction + inference rate"
"$NJ" ids train --capture "$CAPS/train.pcap" --labels "$CAPS/train.labels.json" --features window \
    --val-capture "$CAPS/val.pcap" --val-labels "$CAPS/val.labels.json" -o "$W/window.njm" >/dev/null
for r in $(seq 1 "$RUNS"); do
    "$NJ" ids eval --model "$W/window.njm" \
        --capture "$CAPS/train.pcap" --labels "$CAPS/train.labels.json" \
        --capture "$CAPS/val.pcap" --labels "$CAPS/val.labels.json" \
        --capture "$CAPS/test.pcap" --labels "$CAPS/test.labels.json" --json > "$W/eval-$r.json"
done

"$PY" - "$W" "$RUNS" "$TRAIN_ROWS" "$TEST_ROWS" "$TARGET_ACC" "$EPOCHS" <<'PYEOF'
import json, statistics, sys, platform, os
w, runs, train_rows, test_rows, target, epochs = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[6]
nj = [json.load(open(f"{w}/nj-{r}.json")) for r in range(1, runs + 1)]
sk = [json.load(open(f"{w}/sk-{r}.json")) for r in range(1, runs + 1)]
ev = [json.load(open(f"{w}/eval-{r}.json")) for r in range(1, runs + 1)]
def med(xs):
    xs = [x for x in xs if x is not None]
    return statistics.median(xs) if xs else None
njs, sks = med([r["seconds_to_target"] for r in nj]), med([r["seconds_to_target"] for r in sk])
print(f"## Detector: training and inference speed\n")
print(f"Machine: {os.cpu_count()} CPUs, {platform.machine()}, scikit-learn {sk[0]['sklearn']}, numpy {sk[0]['numpy']}. "
      f"Data: `window` features ({nj[0]['features']} columns) of the lab's train capture ({train_rows} packets) and test capture ({test_rows} packets). "
      f"Network: hidden (32,16), tanh, Adam lr 1e-3, batch 128, log-loss, no L2, same standardisation. {runs} rounds.\n")
print("| trainer | command | epochs to test accuracy ≥ %s | training seconds to it (median) | final test accuracy |" % target)
print("|---|---|---|---|---|")
print(f"| Nightjar MLP | `csv_train --train train.csv --test test.csv --target-acc {target} --epochs {epochs}` | {[r['epochs_to_target'] for r in nj]} | {njs if njs is None else f'{njs:.3f}'} | {med([r['final_test_accuracy'] for r in nj]):.4f} |")
print(f"| scikit-learn MLPClassifier | `ids_vs_sklearn.py --train train.csv --test test.csv --target-acc {target} --epochs {epochs}` | {[r['epochs_to_target'] for r in sk]} | {sks if sks is None else f'{sks:.3f}'} | {med([r['final_test_accuracy'] for r in sk]):.4f} |")
if njs and sks:
    print(f"\nRatio (scikit-learn seconds / Nightjar seconds): **{sks / njs:.1f}×**\n")
else:
    print("\nRatio: n/a (a trainer did not reach the target accuracy)\n")
pps = med([e["timing"]["packets_per_second"] for e in ev])
pk = ev[0]["packets"]
fe = med([e["timing"]["read_and_features_seconds"] for e in ev])
inf = med([e["timing"]["inference_seconds"] for e in ev])
print("| what | command | packets | median seconds | packets/s |")
print("|---|---|---|---|---|")
print(f"| read + window features + MLP inference | `nightjar ids eval --model window.njm --capture train.pcap ... val.pcap ... test.pcap ... --json` | {pk} | {fe + inf:.3f} (features {fe:.3f}, inference {inf:.3f}) | {pps:,.0f} |")
PYEOF
