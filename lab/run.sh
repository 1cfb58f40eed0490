#!/usr/bin/env bash
# One lab run: build the closed lab, run services and normal clients, run the planned attacks,
# capture on the bridge, write NAME.pcap + NAME.labels.json (+ NAME.stats.json, NAME.log).
#
#   lab/run.sh --name NAME --seed N --duration S [--attacks LIST] [--out DIR]
#              [--clients K] [--attackers K] [--snaplen B] [--gap-normal P] [--post-normal P]
#              [--small]
#
#   --attacks   comma list of DESIGN §12 labels, "all" (each once, shuffled), "none"; default all;
#               a label may force variants, e.g. flood-syn:spoofed+open, scan-udp:slow+wide (plan.py)
#   --gap-normal  probability that the attacker host browses normally before an attack (0.6)
#   --post-normal probability that the attacker host browses (HTTP, bulk downloads, echo, ping)
#                 2.5-6 s after an attack ends, while its recent statistics are an attacker's (0)
#   --duration  minimum length in seconds; the run lasts longer if the attacks need it
#   --scenario  "generalise": instead of --attacks, a fixed list of attacks with tools and settings
#               the built-in models never saw (nmap -D/-g/-f/--data-length/slow timing, hping3
#               --scan, nping); "sweep": scans of the whole lab subnet, nmap -sV and -O, masscan,
#               ping -f; see plan.py
#   --snaplen   bytes kept per frame (default 96: every header, a little payload; wire length kept)
#   --small     tiny scans/floods (used by smoke.sh)
# Run as root. See lab/README.md for the safety rules, which lib.sh enforces.
set -euo pipefail
source "$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/lib.sh"

# The whole script is one function, parsed before it runs: editing this file while a run is
# going cannot change what that run executes.
main() {

    NAME="" SEED="" DURATION="" SCENARIO="" ATTACKS=all OUT=. CLIENTS=3 ATTACKERS=2 SNAPLEN=96 SMALL="" GAPN=0.6 POSTN=0
    while [ $# -gt 0 ]; do
        case "$1" in
            --name) NAME="$2"; shift 2 ;;
            --seed) SEED="$2"; shift 2 ;;
            --duration) DURATION="$2"; shift 2 ;;
            --attacks) ATTACKS="$2"; shift 2 ;;
            --scenario) SCENARIO="$2"; shift 2 ;;
            --out) OUT="$2"; shift 2 ;;
            --clients) CLIENTS="$2"; shift 2 ;;
            --attackers) ATTACKERS="$2"; shift 2 ;;
            --snaplen) SNAPLEN="$2"; shift 2 ;;
            --gap-normal) GAPN="$2"; shift 2 ;;
            --post-normal) POSTN="$2"; shift 2 ;;
            --small) SMALL=--small; shift ;;
            -h | --help) sed -n '2,21p' "$0"; exit 0 ;;
            *) echo "unknown option $1 (see --help)" >&2; exit 2 ;;
        esac
    done
    if [ -z "$NAME" ] || [ -z "$SEED" ] || [ -z "$DURATION" ]; then
        echo "need --name, --seed and --duration" >&2
        exit 2
    fi
    [[ "$NAME" =~ ^[A-Za-z0-9._-]+$ ]] || { echo "bad --name" >&2; exit 2; }
    [[ "$SEED" =~ ^[0-9]+$ && "$DURATION" =~ ^[0-9]+$ ]] || { echo "--seed and --duration are integers" >&2; exit 2; }
    [[ "$GAPN" =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || { echo "--gap-normal is a probability (0..1)" >&2; exit 2; }
    [[ "$POSTN" =~ ^(0(\.[0-9]+)?|1(\.0+)?)$ ]] || { echo "--post-normal is a probability (0..1)" >&2; exit 2; }
    (( CLIENTS >= 1 && CLIENTS <= 8 && ATTACKERS >= 1 && ATTACKERS <= 4 )) || { echo "1-8 clients, 1-4 attackers" >&2; exit 2; }

    need_root
    if [ "$SCENARIO" = sweep ]; then
        ensure_tools masscan:masscan ping:iputils-ping
    else
        ensure_tools
    fi
    mkdir -p "$OUT"
    OUT="$(cd "$OUT" && pwd)"
    WORK="$(mktemp -d /tmp/nightjar-lab.XXXXXX)"
    PLAN="$WORK/plan.jsonl"
    EPIS="$WORK/episodes.jsonl"
    : >"$EPIS"
    "$PY" "$LAB_DIR/plan.py" --seed "$SEED" --attacks "$ATTACKS" --attackers "$ATTACKERS" --gap-normal "$GAPN" --post-normal "$POSTN" ${SCENARIO:+--scenario "$SCENARIO"} $SMALL >"$PLAN"
    NPLAN=$(wc -l <"$PLAN")
    # Hard bound on the whole run: duration + every attack's own timeout + gaps + margins.
    BOUND=$(( DURATION + 60 + $("$PY" -c 'import json,sys; print(int(sum(j["timeout"]+j["gap"]+20+(j["post_delay"]+25 if j["post_normal"] else 0) for j in map(json.loads, open(sys.argv[1])))))' "$PLAN") ))
    log "run $NAME: seed $SEED, duration >= ${DURATION}s, $NPLAN attacks, hard bound ${BOUND}s"

    lab_up "$CLIENTS" "$ATTACKERS"
    WORK_CLEAN="$WORK"
    trap 'rc=$?; rm -rf "$WORK_CLEAN"; lab_down "$rc"' EXIT

    # capture on the bridge, inside the switch namespace
    PCAP_TMP="$WORK/$NAME.pcap"
    ip netns exec "$LAB_PREFIX-sw" timeout --kill-after=5 "$BOUND" \
        tcpdump -i br0 -n -s "$SNAPLEN" -U -Z root --time-stamp-precision=micro -w "$PCAP_TMP" 2>"$WORK/tcpdump.err" &
    TCPDUMP_PID=$!
    LAB_PIDS+=("$TCPDUMP_PID")
    nap 1

    bg victim "$BOUND" "$PY" "$LAB_DIR/services.py" --duration "$BOUND"
    nap 1
    for ((i = 0; i < CLIENTS; i++)); do
        bg "c$i" "$BOUND" "$PY" "$LAB_DIR/client.py" --seed $((SEED * 100 + i)) --duration "$BOUND" \
            --mean-think "$("$PY" -c "import random; r=random.Random($SEED*100+$i); print(round(r.uniform(0.8, 2.5), 2))")"
    done

    T0=$(now)
    nap 5   # normal traffic only at the start

    n=0
    while IFS= read -r line <&3; do
        n=$((n + 1))
        label=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["label"])' "$line")
        attacker=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["attacker"])' "$line")
        host="a$(( ${attacker##*.} - 66 ))"
        gap=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["gap"])' "$line")
        gapn=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["gap_normal"])' "$line")
        tmo=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["timeout"])' "$line")
        postn=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["post_normal"])' "$line")
        postd=$("$PY" -c 'import json,sys; print(json.loads(sys.argv[1])["post_delay"])' "$line")
        mapfile -t spoofed < <("$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); [print(x) for x in j["spoofed"] + j.get("decoys", [])]' "$line")
        mapfile -t cmds < <("$PY" -c 'import json,sys,shlex; [print(shlex.join(c)) for c in json.loads(sys.argv[1])["cmds"]]' "$line")

        # quiet gap; the attacker host may browse normally in the middle of it (labelled normal):
        # at least 3 s after the previous attack and at least 2 s before the next one.
        if [ "$gapn" -gt 0 ]; then
            nap 3
            ns "$host" timeout 20 "$PY" "$LAB_DIR/client.py" --seed $((SEED * 1000 + n)) --actions "$gapn" --mean-think 0.5 </dev/null || true
            nap 2
        fi
        nap "$gap"
        [ "${#spoofed[@]}" -gt 0 ] && spoof_neigh "${spoofed[@]}"

        log "[$n/$NPLAN] $label from $host${spoofed:+ spoofing ${#spoofed[@]} sources}: ${cmds[0]}"
        start=$(now)
        pids=()
        for c in "${cmds[@]}"; do
            # shellcheck disable=SC2086
            ip netns exec "$LAB_PREFIX-$host" timeout --kill-after=5 "$tmo" $c </dev/null >>"$WORK/attacks.out" 2>&1 &
            pids+=($!)
            LAB_PIDS+=($!)
        done
        for p in "${pids[@]}"; do
            # hping3 exits 1 when no reply came back (spoofed sources); anything else is worth a note
            rc=0
            wait "$p" || rc=$?
            [ "$rc" -le 1 ] || log "  (exit $rc from attack process $p)"
        done
        end=$(now)
        "$PY" -c 'import json,sys; j=json.loads(sys.argv[1]); print(json.dumps({"label": j["label"], "attacker": j["attacker"], "spoofed": j["spoofed"], "decoys": j.get("decoys", []), "start": float(sys.argv[2]), "end": float(sys.argv[3]), "command": " ; ".join(sys.argv[4:])}))' \
            "$line" "$start" "$end" "${cmds[@]}" >>"$EPIS"
        log "  done in $("$PY" -c "print(round($end - $start, 2))") s"
        # the attacker host's own normal session soon after its attack (labelled normal: it starts
        # after the 2 s over which labels.py extends the episode)
        if [ "$postn" -gt 0 ]; then
            nap "$postd"
            log "  $host browses ($postn actions, ${postd} s after the attack)"
            ns "$host" timeout 20 "$PY" "$LAB_DIR/client.py" --seed $((SEED * 1000 + 500 + n)) --actions "$postn" \
                --mean-think 0.3 --kinds http,http_multi,bulk,echo_tcp,echo_udp,ping </dev/null || true
        fi
    done 3<"$PLAN"

    # normal traffic until the minimum duration has passed, and at least 5 s after the last attack
    nap 5
    REST=$("$PY" -c "import time; print(max(0, $DURATION - (time.time() - $T0)))")
    nap "$REST"
    nap 1
    kill -INT "$TCPDUMP_PID" 2>/dev/null || true
    wait "$TCPDUMP_PID" || true
    cat "$WORK/tcpdump.err" >&2

    mv "$PCAP_TMP" "$OUT/$NAME.pcap"
    "$PY" "$LAB_DIR/labels.py" --name "$NAME" --pcap "$OUT/$NAME.pcap" --episodes "$EPIS" \
        --out "$OUT/$NAME.labels.json" --stats "$OUT/$NAME.stats.json" --seed "$SEED"
    {
        echo "# $NAME: seed $SEED, duration $DURATION, attacks $ATTACKS, clients $CLIENTS, attackers $ATTACKERS, snaplen $SNAPLEN, gap-normal $GAPN, post-normal $POSTN"
        echo "# started $(date -u -d "@${T0%.*}" +%Y-%m-%dT%H:%M:%SZ)"
        tool_versions
        echo "# tcpdump: $(tr '\n' ' ' <"$WORK/tcpdump.err")"
        echo "# attack commands (run in the attacker namespace; start/end in the labels file)"
        "$PY" -c 'import json,sys; [print(json.loads(l)["label"], "|", json.loads(l)["attacker"], "|", json.loads(l)["command"]) for l in open(sys.argv[1])]' "$EPIS"
    } >"$OUT/$NAME.log"
    log "wrote $OUT/$NAME.pcap ($(stat -c %s "$OUT/$NAME.pcap") bytes), $NAME.labels.json, $NAME.stats.json, $NAME.log"
}

# on one line: bash reads the file as it goes, so nothing after main may be read once it returns
main "$@"; exit
