#!/bin/bash
# lab/jitter.sh BIN OUTDIR [SEED...]: the committed labelled captures written out of order as
# a mirror port or a NIC's several queues write them (lab/impair.py, seeded), each read by BIN
# (`nightjar ids detect`) and scored by lab/episodes.py. No root, no network: it rewrites
# capture files and reads them. Prints one line a capture, impairment and seed:
# "MODE SEED CAPTURE alerted/named right/false alerts (episodes)".
#   jitter  5% of the records swapped with the next, every time moved by up to 20 us
#   queues  four NIC queues by address pair, each written in 5 ms batches
#   lag500  four queues by direction (an RSS hash that is not symmetric), each queue's
#           packets late by up to 500 us, drawn anew every 10 ms (queues drained unevenly)
#   lag100  the same, up to 100 us
# CAPTURES (environment): the captures to read (default below); SEEDs default 1.
set -euo pipefail
BIN=${1:?usage: lab/jitter.sh BIN OUTDIR [SEED...]}
OUT=${2:?usage: lab/jitter.sh BIN OUTDIR [SEED...]}
shift 2
SEEDS=("$@")
[ ${#SEEDS[@]} -gt 0 ] || SEEDS=(1)
HERE=$(cd "$(dirname "$0")" && pwd)
DATA=$HERE/../data/captures
CAPTURES=${CAPTURES:-"train test test2 val3 scanners nat floods reflection resets idlescan"}
mkdir -p "$OUT"
impair() { python3 "$HERE/impair.py" "$DATA/$1.pcap" "$DATA/$1.labels.json" \
    "$OUT/$1.$2.$3.pcap" "$OUT/$1.$2.$3.labels.json" "${@:4}" 2>/dev/null; }
score() {
    "$BIN" ids detect --pcap "$OUT/$1.pcap" --json >"$OUT/$1.detect.json" 2>/dev/null
    python3 "$HERE/episodes.py" "$OUT/$1.labels.json" "$OUT/$1.detect.json" |
        sed -nE 's/^episodes ([0-9]+): alerted ([0-9]+), named right ([0-9]+); false alerts ([0-9]+).*/\2\/\3\/\4 (\1)/p'
}
for c in $CAPTURES; do
    cp "$DATA/$c.pcap" "$OUT/$c.clean.0.pcap"
    cp "$DATA/$c.labels.json" "$OUT/$c.clean.0.labels.json"
    echo "clean 0 $c $(score "$c.clean.0")"
done
for s in "${SEEDS[@]}"; do
    for c in $CAPTURES; do
        impair "$c" jitter "$s" jitter --seed "$s" --p 0.05 --us 20
        impair "$c" queues "$s" queues --seed "$s"
        impair "$c" lag500 "$s" lag --seed "$s" --queues 4 --us 500 --ms 10
        impair "$c" lag100 "$s" lag --seed "$s" --queues 4 --us 100 --ms 10
        for m in jitter queues lag500 lag100; do
            echo "$m $s $c $(score "$c.$m.$s")"
        done
    done
done
