#!/usr/bin/env bash
# bench/detect.sh: throughput of `nightjar ids detect --pcap` (issue 5), side by side in one run
# with two tools that read the same capture:
#
#   * `tcpdump -nr BIG -w /dev/null`          a plain copy, record by record: no analysis at all
#   * `tshark -r BIG -T fields -e ip.src -e tcp.flags`   dissects every packet, prints two fields
#   * `nightjar ids detect --pcap BIG --eve -`           decode, `window` features, detector MLP,
#                                                         namer MLP, episodes and EVE alerts; with
#                                                         its default 2 threads and --threads 1,
#                                                         both with verdict reuse (the default), and
#                                                         with --exact (every packet scored)
#
# The capture is made from the committed real lab captures (data/captures/*.pcap, Ethernet,
# snap length 96): all eleven concatenated in a fixed order, and that sequence repeated REPEAT
# times, each copy of a file shifted in time (`editcap -t`) to start 1 s after the previous one
# ended, then joined (`mergecap -a -F pcap`). Real packets only; nothing synthetic. It is
# written to a temporary directory (or DETECT_CAPTURE, kept for the next run) and never
# committed.
#
# Each command runs RUNS times; the runs are interleaved (round r runs the commands in a
# rotated order), so that other work on a shared machine falls on all of them alike. Wall time
# is taken around each process; peak RSS and CPU time from /usr/bin/time. Outputs go to
# /dev/null (ours: the EVE alerts to standard output, redirected; the human summary on stderr
# is kept from the last run). One extra run of ours with `--scores FILE.csv` (a CSV row per
# packet, written to the temporary directory) is a side figure.
#
# Usage:   bash bench/detect.sh > report.md   (progress on stderr, Markdown report on stdout)
# Needs:   Debian, root (to install what is missing) or tcpdump, tshark, editcap, mergecap,
#          capinfos and GNU time installed; cargo, unless NIGHTJAR_BIN points at a built binary.
# Knobs (environment):
#   NIGHTJAR_BIN      use this binary instead of building one (default: cargo build --release)
#   BENCH_REV         build this git revision from `git archive` instead of the work tree
#                     (needs CARGO_TARGET_DIR)
#   CARGO_TARGET_DIR  where cargo builds (default: <repo>/target)
#   RUNS              runs per command (default 5)
#   REPEAT            copies of the eleven captures in the big capture (default 4: 1,158,876
#                     packets)
#   DETECT_CAPTURE    build the big capture at this path and keep it; reused if it exists
#   EXTRA_ARGS        extra arguments for `nightjar ids detect` (e.g. "--batch 4096")
#   BASELINE_BIN      also time this other nightjar build (e.g. one of an earlier commit), as
#                     "before", with the same arguments but no --threads
#   TMPDIR            where the temporary working directory is made (default /tmp)
#   BENCH_WAIT_IDLE   before timing, wait up to this many seconds for the machine to be idle
#                     (other processes using under 10% of the CPUs over 2 s); 0 = don't wait
#                     (default 120)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=${RUNS:-5}
REPEAT=${REPEAT:-4}
EXTRA_ARGS=${EXTRA_ARGS:-}
CAPS="$REPO/data/captures"
# Fixed order: the lab runs in the order they were made (data/captures/SOURCE.md).
FILES=(train val test normal-only train2 train3 test2 train4 test3 train5 val2)

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

# ---------------------------------------------------------------- tools
install_missing() {
    local missing=()
    command -v tcpdump  >/dev/null 2>&1 || missing+=(tcpdump)
    command -v tshark   >/dev/null 2>&1 || missing+=(tshark)
    command -v editcap  >/dev/null 2>&1 || missing+=(wireshark-common)
    command -v mergecap >/dev/null 2>&1 || missing+=(wireshark-common)
    command -v capinfos >/dev/null 2>&1 || missing+=(wireshark-common)
    [ -x /usr/bin/time ]                || missing+=(time)
    apt_install "${missing[@]}"
}
install_missing

# ---------------------------------------------------------------- nightjar
nightjar_binary

# ---------------------------------------------------------------- work dir
T=$(mktemp -d "${TMPDIR:-/tmp}/nightjar-bench-detect.XXXXXX")
trap 'rm -rf "$T" ${SRC_TMP:+"$SRC_TMP"}' EXIT
log "working in $T"

# ---------------------------------------------------------------- the capture
# first and last timestamp (epoch seconds) and packet count of a capture
span() { capinfos -T -r -S -a -e -c "$1" | awk -F'\t' '{ print $3, $4, $2 }'; }

build_capture() { # build_capture OUT
    local out=$1 parts=() cursor="" r f first last n shift i=0
    mkdir -p "$T/parts"
    for ((r = 0; r < REPEAT; r++)); do
        for f in "${FILES[@]}"; do
            [ -f "$CAPS/$f.pcap" ] || die "missing $CAPS/$f.pcap"
            read -r first last n < <(span "$CAPS/$f.pcap")
            # shift this copy to start 1 s after the previous one ended (the first stays put)
            if [ -z "$cursor" ]; then shift=0; else
                shift=$(awk -v c="$cursor" -v s="$first" 'BEGIN { printf "%.6f", c + 1 - s }'); fi
            i=$((i + 1))
            editcap -F pcap -t "$shift" "$CAPS/$f.pcap" "$T/parts/$(printf '%03d' $i).pcap"
            parts+=("$T/parts/$(printf '%03d' $i).pcap")
            cursor=$(awk -v l="$last" -v s="$shift" 'BEGIN { printf "%.6f", l + s }')
        done
    done
    mergecap -a -F pcap -w "$out.tmp" "${parts[@]}"
    mv "$out.tmp" "$out"
    rm -rf "$T/parts"
}

if [ -n "${DETECT_CAPTURE:-}" ] && [ -s "$DETECT_CAPTURE" ]; then
    BIG=$DETECT_CAPTURE
    log "reusing the capture $BIG"
else
    BIG=${DETECT_CAPTURE:-$T/big.pcap}
    log "building the capture $BIG ($REPEAT × ${#FILES[@]} lab captures)"
    build_capture "$BIG"
fi
read -r _ _ PACKETS < <(span "$BIG")
BYTES=$(stat -c %s "$BIG")
[ "$PACKETS" -ge 1000000 ] || die "the capture holds $PACKETS packets, fewer than 1,000,000 (raise REPEAT)"
SHA=$(sha256sum "$BIG" | cut -c1-16)
log "capture: $PACKETS packets, $BYTES bytes, sha256 $SHA…"

# ---------------------------------------------------------------- commands
# Each is run as `bash -c CMD` under /usr/bin/time; outputs to /dev/null.
C_OURS="$NJ ids detect --pcap $BIG --eve - $EXTRA_ARGS"
C_OURS1="$NJ ids detect --pcap $BIG --eve - --threads 1 $EXTRA_ARGS"
C_EXACT="$NJ ids detect --pcap $BIG --eve - --exact $EXTRA_ARGS"
C_TCPDUMP="tcpdump -nr $BIG -w /dev/null"
C_TSHARK="tshark -r $BIG -T fields -e ip.src -e tcp.flags"
NAMES=(ours ours1 exact tcpdump tshark)
CMDS=("$C_OURS" "$C_OURS1" "$C_EXACT" "$C_TCPDUMP" "$C_TSHARK")
if [ -n "${BASELINE_BIN:-}" ]; then
    [ -x "$BASELINE_BIN" ] || die "no nightjar binary at BASELINE_BIN=$BASELINE_BIN"
    C_BEFORE="$BASELINE_BIN ids detect --pcap $BIG --eve - $EXTRA_ARGS"
    NAMES+=(before)
    CMDS+=("$C_BEFORE")
fi

# Sanity: every tool sees every packet.
# (tshark reads files through the same library as capinfos; one extra pass of it costs a minute.)
N_TCPDUMP=$(tcpdump -nr "$BIG" 2>/dev/null | wc -l)
[ "$N_TCPDUMP" -eq "$PACKETS" ] || die "tcpdump reads $N_TCPDUMP packets, capinfos says $PACKETS"
N_OURS=$("$NJ" ids detect --pcap "$BIG" --json $EXTRA_ARGS 2>/dev/null | sed 's/.*"records":\([0-9]*\).*/\1/')
[ "$N_OURS" = "$PACKETS" ] || die "nightjar reads $N_OURS records, capinfos says $PACKETS"

# ---------------------------------------------------------------- timing
busy_pct() { # share of all CPUs busy over the next 2 seconds, percent (nothing of ours runs)
    local a b
    a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
    awk -v u="$(( b[1]+b[2]+b[3]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[6]-a[7]-a[8] ))" \
        -v t="$(( b[1]+b[2]+b[3]+b[4]+b[5]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[4]-a[5]-a[6]-a[7]-a[8] ))" \
        'BEGIN { printf "%.0f", (t > 0 ? 100 * u / t : 0) }'
}
cpu_ticks() { local c; c=($(head -1 /proc/stat)); echo "$((c[1]+c[2]+c[3]+c[6]+c[7]+c[8])) $((c[1]+c[2]+c[3]+c[4]+c[5]+c[6]+c[7]+c[8]))"; }

WAITED=0
BUSY=$(busy_pct)
while [ "$BUSY" -ge 10 ] && [ "$WAITED" -lt "${BENCH_WAIT_IDLE:-120}" ]; do
    log "machine ${BUSY}% busy with other work; waiting for it to settle (${WAITED}s/${BENCH_WAIT_IDLE:-120}s)"
    sleep 8; WAITED=$((WAITED + 10)); BUSY=$(busy_pct)
done
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# run1 NAME CMD: one timed run; appends "NAME wall_s maxrss_kib user_s sys_s" to $T/times
run1() {
    local name=$1 cmd=$2 t0 t1 rc=0
    t0=$(date +%s%N)
    /usr/bin/time -f '%M %U %S' -o "$T/time.$name" bash -c "exec $cmd" >/dev/null 2>"$T/err.$name" || rc=$?
    t1=$(date +%s%N)
    [ "$rc" -eq 0 ] || { cat "$T/err.$name" >&2; die "$name failed (exit $rc)"; }
    echo "$name $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.4f", (b - a) / 1e9 }') $(tail -1 "$T/time.$name")" >> "$T/times"
}

: > "$T/times"
T0=($(cpu_ticks))
for ((r = 0; r < RUNS; r++)); do
    for ((i = 0; i < ${#CMDS[@]}; i++)); do
        k=$(( (i + r) % ${#CMDS[@]} ))
        log "round $((r + 1))/$RUNS: ${NAMES[k]}"
        run1 "${NAMES[k]}" "${CMDS[k]}"
    done
done
T1=($(cpu_ticks))
# the summary without its table of alerts (one line per alert)
OURS_STDERR=$(grep -v '^  ' "$T/err.ours")
# side figure: every packet's verdict written as CSV
C_SCORES="$NJ ids detect --pcap $BIG --eve - --scores $T/scores.csv $EXTRA_ARGS"
log "side figure: ours with --scores"
run1 scores "$C_SCORES"
SCORE_ROWS=$(($(wc -l < "$T/scores.csv") - 1))
SCORE_BYTES=$(stat -c %s "$T/scores.csv")
rm -f "$T/scores.csv"
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
# CPU used by everything on the machine during the timed rounds, as a share of all cores
# (ours included; a 2-thread run of ours alone shows up to 100%).
BUSY_DURING=$(awk -v b=$((T1[0] - T0[0])) -v a=$((T1[1] - T0[1])) 'BEGIN { printf "%.0f%%", (a > 0 ? 100 * b / a : 0) }')

# ---------------------------------------------------------------- report
# stat NAME FIELD(2 wall, 3 rss KiB, 4 user, 5 sys): median over the runs
median() { sort -g | awk '{ v[NR] = $1 } END { print (NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2) }'; }
stat_med() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$T/times" | median; }
stat_min() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$T/times" | sort -g | head -1; }
stat_max() { awk -v n="$1" -v f="$2" '$1 == n { print $f }' "$T/times" | sort -g | tail -1; }
cpu_med() { awk -v n="$1" '$1 == n { print $4 + $5 }' "$T/times" | median; }

row() { # row NAME LABEL
    local w mn mx rss cpu
    w=$(stat_med "$1" 2); mn=$(stat_min "$1" 2); mx=$(stat_max "$1" 2)
    rss=$(stat_med "$1" 3); cpu=$(cpu_med "$1")
    awk -v l="$2" -v w="$w" -v mn="$mn" -v mx="$mx" -v rss="$rss" -v cpu="$cpu" -v p="$PACKETS" \
        -v ours="$(stat_med ours 2)" 'BEGIN {
        printf "| %s | %.3f | %.3f – %.3f | %.2f | %.2f M | %.1f | %s |\n",
            l, w, mn, mx, cpu, p / w / 1e6, rss / 1024, sprintf("%.2f×", w / ours) }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
W_OURS=$(stat_med ours 2); W_TCPDUMP=$(stat_med tcpdump 2); W_TSHARK=$(stat_med tshark 2)
R_TCPDUMP=$(ratio "$W_OURS" "$W_TCPDUMP")
R_TSHARK=$(ratio "$W_OURS" "$W_TSHARK")
GOAL=$(awk -v o="$W_OURS" -v t="$W_TCPDUMP" 'BEGIN {
    if (o < t) printf "met: %.0f%% less time than tcpdump", 100 * (1 - o / t);
    else printf "NOT met: %.0f%% more time than tcpdump", 100 * (o / t - 1) }')
show() { local c=${1//$BIG/BIG.pcap}; c=${c//$NJ/nightjar}; echo "${c//$T/\$T}"; }

TABLE=$(
    row ours "\`nightjar ids detect\` (2 threads, the default)"
    row ours1 "\`nightjar ids detect --threads 1\`"
    row exact "\`nightjar ids detect --exact\` (every packet scored, 2 threads)"
    if [ -n "${BASELINE_BIN:-}" ]; then row before "\`nightjar ids detect\`, before (BASELINE_BIN)"; fi
    row tcpdump "\`tcpdump -w /dev/null\`"
    row tshark "\`tshark -T fields\`"
)
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
cat <<EOF
## Machine

| | |
|---|---|
| CPU | $CPU_MODEL ($(nproc) cores available) |
| memory | $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) |
| kernel | $(uname -sr) |
| load average (1/5/15 min) | before: $LOAD_BEFORE; after: $LOAD_AFTER |
| CPU busy during the timed rounds (all processes, ours included; share of all cores) | $BUSY_DURING (waited ${WAITED}s for quiet first) |
| nightjar | $("$NJ" --version 2>/dev/null || echo nightjar), $NJ_ORIGIN |
| rustc | $(rustc --version 2>/dev/null || echo "n/a") |
| tcpdump | $(tcpdump --version 2>&1 | head -1) |
| tshark | $(tshark --version 2>/dev/null | head -1 | sed 's/ (Git.*//') |
| date | $(date -u +%Y-%m-%dT%H:%MZ) |

## Capture

BIG.pcap: the eleven lab captures of \`data/captures/\` (${FILES[*]}), repeated $REPEAT times,
each copy shifted by \`editcap -t\` to start 1 s after the previous one ended, joined by
\`mergecap -a -F pcap\`: **$PACKETS packets**, $BYTES bytes ($(awk -v b="$BYTES" 'BEGIN { printf "%.1f", b / 1048576 }') MiB), pcap,
Ethernet, snap length 96, sha256 $SHA…

## Throughput: $RUNS interleaved runs per command

Wall time per whole process (start, read, exit); packets/s = $PACKETS ÷ median wall time; CPU =
user + system time, both threads (median); RSS = peak resident set (median, /usr/bin/time). Last
column: this command's median ÷ that of \`nightjar ids detect\` (above 1: nightjar is faster).

| command | median wall (s) | min – max (s) | CPU (s) | packets/s | peak RSS (MiB) | its time ÷ ours |
|---|---|---|---|---|---|---|
$TABLE

ours ÷ tcpdump = **$R_TCPDUMP**, ours ÷ tshark = **$R_TSHARK** (ratios of median wall times).
Goal "faster than tcpdump's plain copy": **$GOAL**.

Side figure, once: with \`--scores FILE.csv\` (a row per packet: $SCORE_ROWS rows, $SCORE_BYTES bytes
written): $(awk -v w="$(stat_med scores 2)" -v p="$PACKETS" 'BEGIN { printf "%.3f s, %.2f M packets/s", w, p / w / 1e6 }'), peak RSS $(awk -v r="$(stat_med scores 3)" 'BEGIN { printf "%.1f", r / 1024 }') MiB.

\`\`\`
$(for c in "${CMDS[@]}"; do case $c in tcpdump*) show "$c" ;; *) echo "$(show "$c") > /dev/null" ;; esac; done)
$(show "$C_SCORES") > /dev/null
\`\`\`

nightjar's own summary (last timed run):

\`\`\`
$(show "$OURS_STDERR")
\`\`\`
EOF
log "done"
