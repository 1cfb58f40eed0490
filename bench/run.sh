#!/usr/bin/env bash
# bench/run.sh: Nightjar against the reference tools, side by side, in one run.
#
#   1. `nightjar seal` / `nightjar open` of a 128 MiB random file with a key file,
#      against `openssl enc -bf-cbc` (raw hex key and IV: no KDF, no salt) on the same file.
#   2. `nightjar hide` / `nightjar reveal` of 4096 random bytes in a 640x480 RGB cover
#      (made from data/images/coffee.png), with a key file and with a passphrase,
#      against `steghide embed` / `steghide extract` of the same bytes in the same pixels as BMP.
#
# Usage:   bash bench/run.sh > report.md      (progress and hyperfine's own output go to stderr;
#                                              the Markdown report goes to stdout)
# Needs:   Debian, root (to install what is missing) or the tools already installed, and cargo
#          (to build nightjar) unless NIGHTJAR_BIN points at a built binary.
# Knobs (environment):
#   NIGHTJAR_BIN      use this binary instead of building one (default: cargo build --release)
#   BENCH_REV         build this git revision (e.g. HEAD) from `git archive` instead of the work
#                     tree as it is; needs CARGO_TARGET_DIR
#   CARGO_TARGET_DIR  where cargo builds (default: <repo>/target)
#   BIG_MIB           size of the random file for seal/open (default 128)
#   RUNS_BIG          hyperfine runs per command for the big file (default 10)
#   RUNS_SMALL        hyperfine runs per command for the image benchmarks (default 30)
#   WARMUP            hyperfine warm-up runs per round (default 1 big, 2 small)
#   ROUNDS            the runs are split into this many interleaved rounds (default 2)
#   BENCH_JSON_DIR    if set, the hyperfine JSON exports are copied there
#   TMPDIR            where the temporary working directory is made (default /tmp)
#   BENCH_WAIT_IDLE   before each group, wait up to this many seconds for the machine to be idle
#                     (other processes using under 10% of the CPUs over 2 s); 0 = don't wait (default 300)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BIG_MIB=${BIG_MIB:-128}
RUNS_BIG=${RUNS_BIG:-10}
RUNS_SMALL=${RUNS_SMALL:-30}
WARMUP_BIG=${WARMUP:-1}
WARMUP_SMALL=${WARMUP:-2}
ROUNDS=${ROUNDS:-2}
COVER_SRC="$REPO/data/images/coffee.png"   # 600x400 RGB photograph
PAYLOAD_BYTES=4096
# Fixed Blowfish key (128-bit) and IV for openssl: given raw, so openssl runs no KDF.
BF_KEY=000102030405060708090a0b0c0d0e0f
BF_IV=0001020304050607
STEGHIDE_PASS=nightjar-bench-passphrase
export NIGHTJAR_BENCH_PASS=nightjar-bench-passphrase   # read by nightjar --passphrase-env

# shellcheck source=bench/lib.sh
source "$REPO/bench/lib.sh"

# ---------------------------------------------------------------- tools
# ImageMagick: only the real one will do (some machines have a stand-in `convert` first in PATH).
imagemagick() {
    local c
    for c in magick /usr/bin/convert; do
        if command -v "$c" >/dev/null 2>&1 && "$c" -version 2>/dev/null | grep -q '^Version: ImageMagick'; then
            echo "$c"; return 0
        fi
    done
    return 1
}

install_missing() {
    local missing=()
    command -v hyperfine >/dev/null 2>&1 || missing+=(hyperfine)
    command -v steghide  >/dev/null 2>&1 || missing+=(steghide)
    command -v openssl   >/dev/null 2>&1 || missing+=(openssl)
    command -v jq        >/dev/null 2>&1 || missing+=(jq)
    command -v awk       >/dev/null 2>&1 || missing+=(gawk)
    imagemagick >/dev/null                || missing+=(imagemagick)
    apt_install --no-install-recommends "${missing[@]}"
}
install_missing
IM=$(imagemagick) || die "ImageMagick not found after install"
# Blowfish is in OpenSSL 3's legacy provider (shipped in Debian's libssl3): check it loads.
if ! openssl enc -bf-cbc -provider legacy -provider default -K "$BF_KEY" -iv "$BF_IV" -nosalt \
        -in /dev/null -out /dev/null 2>/dev/null; then
    die "openssl cannot run bf-cbc with the legacy provider"
fi

# ---------------------------------------------------------------- nightjar
nightjar_binary

# ---------------------------------------------------------------- work dir
T=$(mktemp -d "${TMPDIR:-/tmp}/nightjar-bench.XXXXXX")
trap 'rm -rf "$T" ${SRC_TMP:+"$SRC_TMP"}' EXIT
log "working in $T"

# ---------------------------------------------------------------- machine
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
CPU_MODEL=$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
CPU_FLAGS=$(grep -m1 '^flags' /proc/cpuinfo | tr ' ' '\n' | grep -E '^(aes|avx2|sha_ni|avx512f)$' | paste -sd' ' || true)
MEM=$(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo)
V_OPENSSL=$(openssl version)
V_STEGHIDE=$(steghide --version 2>&1 | head -1)
V_HYPERFINE=$(hyperfine --version)
V_IM=$("$IM" -version | head -1 | sed 's/^Version: //; s/ https.*//')
V_RUSTC=$(rustc --version 2>/dev/null || echo "n/a (prebuilt binary)")
V_NJ=$("$NJ" --version 2>/dev/null || echo nightjar)

# ---------------------------------------------------------------- inputs
log "making inputs"
"$NJ" keygen -o "$T/key" >/dev/null 2>&1
head -c $((BIG_MIB * 1024 * 1024)) /dev/urandom > "$T/big.bin"
head -c "$PAYLOAD_BYTES" /dev/urandom > "$T/payload.bin"
# 640x480 cover: the 600x400 photograph scaled by 1.2 to 720x480, centre-cropped to 640x480.
# The BMP (24-bit, BITMAPINFOHEADER, which steghide reads) is made from the PNG's pixels.
"$IM" "$COVER_SRC" -resize 720x480 -gravity center -crop 640x480+0+0 +repage \
    -strip -type TrueColor -depth 8 "PNG24:$T/cover.png"
"$IM" "$T/cover.png" -type TrueColor "BMP3:$T/cover.bmp"
PNG_RGB=$("$IM" "$T/cover.png" rgb:- | sha256sum | cut -c1-16)
BMP_RGB=$("$IM" "$T/cover.bmp" rgb:- | sha256sum | cut -c1-16)
[ "$PNG_RGB" = "$BMP_RGB" ] || die "PNG and BMP covers differ in their pixels"
COVER_GEOM=$("$IM" "$T/cover.png" -format '%wx%h %[channels]' info:)

# Outputs the decoding benchmarks read, made once (and checked) before timing.
"$NJ" seal -i "$T/big.bin" -o "$T/big.nj" --key-file "$T/key"
openssl enc -bf-cbc -provider legacy -provider default -K "$BF_KEY" -iv "$BF_IV" -nosalt \
    -in "$T/big.bin" -out "$T/big.bf"
"$NJ" hide --cover "$T/cover.png" --payload "$T/payload.bin" -o "$T/stego-key.png" --key-file "$T/key" >/dev/null 2>&1
"$NJ" hide --cover "$T/cover.png" --payload "$T/payload.bin" -o "$T/stego-pass.png" --passphrase-env NIGHTJAR_BENCH_PASS >/dev/null 2>&1
steghide embed -cf "$T/cover.bmp" -ef "$T/payload.bin" -sf "$T/stego.bmp" -p "$STEGHIDE_PASS" -f -q
"$NJ" open -i "$T/big.nj" -o "$T/check.bin" --key-file "$T/key" && cmp -s "$T/big.bin" "$T/check.bin" || die "nightjar open round trip failed"
"$NJ" reveal --stego "$T/stego-key.png" -o "$T/check.bin" --key-file "$T/key" 2>/dev/null && cmp -s "$T/payload.bin" "$T/check.bin" || die "nightjar reveal (key) round trip failed"
"$NJ" reveal --stego "$T/stego-pass.png" -o "$T/check.bin" --passphrase-env NIGHTJAR_BENCH_PASS 2>/dev/null && cmp -s "$T/payload.bin" "$T/check.bin" || die "nightjar reveal (passphrase) round trip failed"
steghide extract -sf "$T/stego.bmp" -xf "$T/check.bin" -p "$STEGHIDE_PASS" -f -q && cmp -s "$T/payload.bin" "$T/check.bin" || die "steghide round trip failed"
rm -f "$T/check.bin"
HIDE_INFO=$("$NJ" hide --cover "$T/cover.png" --payload "$T/payload.bin" -o "$T/info.png" --key-file "$T/key" 2>&1 >/dev/null | tail -1)
rm -f "$T/info.png"

# ---------------------------------------------------------------- timing
# Share of all CPUs busy (user+nice+system+irq+steal) over the next 2 seconds, in percent; this
# includes nothing of ours, since we are sleeping.
busy_pct() {
    local a b
    a=($(head -1 /proc/stat)); sleep 2; b=($(head -1 /proc/stat))
    awk -v u="$(( b[1]+b[2]+b[3]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[6]-a[7]-a[8] ))" \
        -v t="$(( b[1]+b[2]+b[3]+b[4]+b[5]+b[6]+b[7]+b[8] - a[1]-a[2]-a[3]-a[4]-a[5]-a[6]-a[7]-a[8] ))" \
        'BEGIN { printf "%.0f", (t > 0 ? 100 * u / t : 0) }'
}
BUSY_NOTES=()
# CPU ticks: busy ones on the whole machine, all ones, and those used by our finished children
# (hyperfine and, through it, the benchmarked commands).
ticks() {
    local c s
    c=($(head -1 /proc/stat)); s=($(sed 's/.*) //' /proc/$$/stat))
    echo "$((c[1]+c[2]+c[3]+c[6]+c[7]+c[8])) $((c[1]+c[2]+c[3]+c[4]+c[5]+c[6]+c[7]+c[8])) $((s[13]+s[14]))"
}
wait_idle() { # wait_idle LABEL: wait (bounded) for the machine to be idle; prints the last busy %
    local label=$1 waited=0 busy limit=${BENCH_WAIT_IDLE:-300}
    busy=$(busy_pct)
    while [ "$busy" -ge 10 ] && [ "$waited" -lt "$limit" ]; do
        log "machine ${busy}% busy with other work; waiting for it to settle before $label (${waited}s/${limit}s)"
        sleep 8; waited=$((waited + 10)); busy=$(busy_pct)
    done
    echo "$busy $waited"
}

# hf NAME RUNS WARMUP ROUNDS LABEL1 CMD1 [LABEL2 CMD2 ...]
# Times the commands side by side with hyperfine. The runs are split into ROUNDS hyperfine
# invocations that alternate the order of the commands, so that a burst of other work on this
# shared machine falls on all of them alike rather than on whichever ran then; the rounds'
# timings are merged into $T/NAME.json (hyperfine's format: results[].command/median/mean/...).
# -N: no intermediate shell, so nothing but the command itself is timed.
hf() {
    local name=$1 runs=$2 warm=$3 rounds=$4; shift 4
    local labels=() cmds=() args=() r i per waits=0 t0 t1 others wi busy=0 all=0 ours=0
    while [ $# -gt 0 ]; do labels+=("$1"); cmds+=("$2"); shift 2; done
    per=$(( (runs + rounds - 1) / rounds ))
    for ((r = 0; r < rounds; r++)); do
        wi=($(wait_idle "'$name' round $((r + 1))/$rounds"))
        waits=$((waits + wi[1]))
        args=()
        for ((i = 0; i < ${#cmds[@]}; i++)); do
            local k=$(( r % 2 == 0 ? i : ${#cmds[@]} - 1 - i ))
            args+=(-n "${labels[k]}" "${cmds[k]}")
        done
        log "hyperfine: $name, round $((r + 1))/$rounds ($per runs each)"
        t0=($(ticks))
        hyperfine -N --style basic --runs "$per" --warmup "$warm" --export-json "$T/$name.$r.json" "${args[@]}" >&2
        t1=($(ticks))
        busy=$((busy + t1[0] - t0[0])); all=$((all + t1[1] - t0[1])); ours=$((ours + t1[2] - t0[2]))
    done
    # What other processes used while hyperfine ran, as a share of all CPUs.
    others=$(awk -v b=$busy -v a=$all -v o=$ours \
        'BEGIN { x = a > 0 ? 100 * (b - o) / a : 0; printf "%.0f%%", (x < 0 ? 0 : x) }')
    BUSY_NOTES+=("$name: $others (waited ${waits}s for quiet)")
    jq -s '
        def median: sort | if length % 2 == 1 then .[length / 2 | floor]
                           else (.[length / 2 - 1] + .[length / 2]) / 2 end;
        { results: ( [ .[].results[] ] | group_by(.command) | map(
            ( [ .[].times[] ] ) as $t | ($t | add / length) as $m
            | { command: .[0].command, runs: ($t | length), median: ($t | median), mean: $m,
                stddev: (if ($t | length) > 1 then ([ $t[] | (. - $m) * (. - $m) ] | add / (($t | length) - 1) | sqrt) else 0 end),
                min: ($t | min), max: ($t | max), times: $t } ) ) }' "$T/$name".[0-9]*.json > "$T/$name.json"
    # List the commands in the order given.
    jq --argjson order "$(printf '%s\n' "${labels[@]}" | jq -R . | jq -s .)" \
        '.results |= sort_by(.command as $c | $order | index($c))' "$T/$name.json" > "$T/$name.sorted.json"
    mv "$T/$name.sorted.json" "$T/$name.json"
    if [ -n "${BENCH_JSON_DIR:-}" ]; then mkdir -p "$BENCH_JSON_DIR"; cp "$T/$name".*json "$BENCH_JSON_DIR/"; fi
}

C_SEAL="$NJ seal -i $T/big.bin -o $T/out.nj --key-file $T/key"
C_BFENC="openssl enc -bf-cbc -provider legacy -provider default -K $BF_KEY -iv $BF_IV -nosalt -in $T/big.bin -out $T/out.bf"
C_OPEN="$NJ open -i $T/big.nj -o $T/out.open --key-file $T/key"
C_BFDEC="openssl enc -d -bf-cbc -provider legacy -provider default -K $BF_KEY -iv $BF_IV -nosalt -in $T/big.bf -out $T/out.dec"
hf seal "$RUNS_BIG" "$WARMUP_BIG" "$ROUNDS" \
    "nightjar seal" "$C_SEAL" "openssl enc -bf-cbc" "$C_BFENC" \
    "nightjar open" "$C_OPEN" "openssl enc -d -bf-cbc" "$C_BFDEC"
rm -f "$T"/out.*

C_HIDE_KEY="$NJ hide --cover $T/cover.png --payload $T/payload.bin -o $T/out-key.png --key-file $T/key"
C_HIDE_PASS="$NJ hide --cover $T/cover.png --payload $T/payload.bin -o $T/out-pass.png --passphrase-env NIGHTJAR_BENCH_PASS"
C_SH_EMBED="steghide embed -cf $T/cover.bmp -ef $T/payload.bin -sf $T/out.bmp -p $STEGHIDE_PASS -f -q"
hf hide "$RUNS_SMALL" "$WARMUP_SMALL" "$ROUNDS" \
    "nightjar hide (key file)" "$C_HIDE_KEY" "nightjar hide (passphrase)" "$C_HIDE_PASS" \
    "steghide embed" "$C_SH_EMBED"

C_REV_KEY="$NJ reveal --stego $T/stego-key.png -o $T/out-key.bin --key-file $T/key"
C_REV_PASS="$NJ reveal --stego $T/stego-pass.png -o $T/out-pass.bin --passphrase-env NIGHTJAR_BENCH_PASS"
C_SH_EXTRACT="steghide extract -sf $T/stego.bmp -xf $T/out-sh.bin -p $STEGHIDE_PASS -f -q"
hf reveal "$RUNS_SMALL" "$WARMUP_SMALL" "$ROUNDS" \
    "nightjar reveal (key file)" "$C_REV_KEY" "nightjar reveal (passphrase)" "$C_REV_PASS" \
    "steghide extract" "$C_SH_EXTRACT"

LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# Command lines as shown in the report: $T for the temporary directory, `nightjar` for the binary.
show() { local c=${1//$T/\$T}; echo "${c//$NJ/nightjar}"; }

# ---------------------------------------------------------------- report
# med NAME COMMAND-NAME -> median seconds
med() { jq -r --arg n "$2" '.results[] | select(.command == $n) | .median' "$T/$1.json"; }
mn()  { jq -r --arg n "$2" '.results[] | select(.command == $n) | .min' "$T/$1.json"; }

# table JSON BASELINE-NAME BYTES(0 = no throughput column): one Markdown row per command.
table() {
    local json=$1 base=$2 bytes=$3
    jq -r --arg base "$base" '
        (.results[] | select(.command == $base) | .median) as $b
        | .results[] | [.command, .median, .mean, .stddev, .min, .max, $b, (.command == $base)] | @tsv' "$json" |
    awk -F'\t' -v bytes="$bytes" '
        function ms(x) { x *= 1000; return x >= 100 ? sprintf("%.0f", x) : sprintf("%.1f", x) }
        {
            row = "| " $1 " | " ms($2) " | " ms($3) " ± " ms($4) " | " ms($5) " – " ms($6)
            if (bytes > 0) row = row " | " sprintf("%.1f", bytes / $2 / 1e6)
            row = row " | " ($8 == "true" ? "1.00 (baseline)" : sprintf("%.2f×", $7 / $2)) " |"
            print row
        }'
}

verdict() { # verdict RATIO GOAL
    awk -v r="$1" -v g="$2" 'BEGIN { if (r >= g) print "met"; else printf "NOT met (%.0f%% short)", (g - r) / g * 100 }'
}
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

BYTES=$((BIG_MIB * 1024 * 1024))
R_SEAL=$(ratio "$(med seal 'openssl enc -bf-cbc')" "$(med seal 'nightjar seal')")
R_OPEN=$(ratio "$(med seal 'openssl enc -d -bf-cbc')" "$(med seal 'nightjar open')")
R_HIDE_KEY=$(ratio "$(med hide 'steghide embed')" "$(med hide 'nightjar hide (key file)')")
R_HIDE_PASS=$(ratio "$(med hide 'steghide embed')" "$(med hide 'nightjar hide (passphrase)')")
R_REV_KEY=$(ratio "$(med reveal 'steghide extract')" "$(med reveal 'nightjar reveal (key file)')")
R_REV_PASS=$(ratio "$(med reveal 'steghide extract')" "$(med reveal 'nightjar reveal (passphrase)')")
M_SEAL=$(ratio "$(mn seal 'openssl enc -bf-cbc')" "$(mn seal 'nightjar seal')")
M_HIDE_KEY=$(ratio "$(mn hide 'steghide embed')" "$(mn hide 'nightjar hide (key file)')")
M_HIDE_PASS=$(ratio "$(mn hide 'steghide embed')" "$(mn hide 'nightjar hide (passphrase)')")

cat <<EOF
## Machine

| | |
|---|---|
| CPU | $CPU_MODEL ($(nproc) cores available; flags: ${CPU_FLAGS:-none of aes/avx2/sha_ni/avx512f}) |
| memory | $MEM |
| kernel | $(uname -sr) |
| load average (1/5/15 min) | before: $LOAD_BEFORE; after: $LOAD_AFTER |
| CPU used by other processes during each group (share of all cores) | $(IFS=';'; echo "${BUSY_NOTES[*]}" | sed 's/;/; /g') |
| nightjar | $V_NJ, $NJ_ORIGIN |
| rustc | $V_RUSTC |
| openssl | $V_OPENSSL |
| steghide | $V_STEGHIDE |
| hyperfine | $V_HYPERFINE |
| ImageMagick | $V_IM |
| date | $(date -u +%Y-%m-%dT%H:%MZ) |

## Seal: ${BIG_MIB} MiB random file, key file vs \`openssl enc -bf-cbc\`

hyperfine -N, $(( (RUNS_BIG + ROUNDS - 1) / ROUNDS * ROUNDS )) runs per command in $ROUNDS alternating rounds, $WARMUP_BIG warm-up per round; ratio = baseline median ÷ median (above 1: faster than the baseline); MB/s = 10^6 bytes of plaintext per second.

| command | median (ms) | mean ± σ (ms) | min – max (ms) | MB/s | vs openssl enc -bf-cbc |
|---|---|---|---|---|---|
$(table "$T/seal.json" "openssl enc -bf-cbc" "$BYTES")

\`nightjar open\` vs \`openssl enc -d -bf-cbc\`: ${R_OPEN}×.
Goal "nightjar seal at least as fast as openssl": ratio of medians ${R_SEAL}, $(verdict "$R_SEAL" 1) (ratio of minimums ${M_SEAL}).

\`\`\`
$(show "$C_SEAL")
$(show "$C_BFENC")
$(show "$C_OPEN")
$(show "$C_BFDEC")
\`\`\`

## Hide: ${PAYLOAD_BYTES} random bytes in a 640×480 RGB cover vs \`steghide embed\`

Cover: \`data/images/coffee.png\` scaled to 720×480 and centre-cropped to 640×480 ($COVER_GEOM, pixels sha256 $PNG_RGB…), as PNG for nightjar and as 24-bit BMP for steghide (same pixels).
nightjar reports: \`$(show "$HIDE_INFO")\`.
hyperfine -N, $(( (RUNS_SMALL + ROUNDS - 1) / ROUNDS * ROUNDS )) runs per command in $ROUNDS alternating rounds, $WARMUP_SMALL warm-up per round.

| command | median (ms) | mean ± σ (ms) | min – max (ms) | vs steghide embed |
|---|---|---|---|---|
$(table "$T/hide.json" "steghide embed" 0)

Goal "nightjar hide at least 5× faster than steghide": on medians, key file ${R_HIDE_KEY}× ($(verdict "$R_HIDE_KEY" 5)), passphrase ${R_HIDE_PASS}× ($(verdict "$R_HIDE_PASS" 5)); on minimums, ${M_HIDE_KEY}× and ${M_HIDE_PASS}×.

\`\`\`
$(show "$C_HIDE_KEY")
$(show "$C_HIDE_PASS")
$(show "$C_SH_EMBED")
\`\`\`

## Reveal vs \`steghide extract\`

| command | median (ms) | mean ± σ (ms) | min – max (ms) | vs steghide extract |
|---|---|---|---|---|
$(table "$T/reveal.json" "steghide extract" 0)

\`\`\`
$(show "$C_REV_KEY")
$(show "$C_REV_PASS")
$(show "$C_SH_EXTRACT")
\`\`\`
EOF
log "done"
